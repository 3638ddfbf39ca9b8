-- Personas and journey maps (issue 6). A journey's row holds what lists
-- show and its latest version number; every save adds a journey_versions
-- row holding the whole document (the interchange JSON), which is never
-- changed afterwards. The author's email is kept beside the id so history
-- survives the user's deletion. Keep postgres/migrations/0005_journeys.sql
-- in step.
CREATE TABLE personas (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE journeys (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	status TEXT NOT NULL,
	owner_email TEXT NOT NULL DEFAULT '',
	persona_id INTEGER NOT NULL REFERENCES personas(id),
	review_every_days INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	reviewed_at INTEGER NOT NULL,
	-- the due time of the review whose reminder was sent, so it is sent once
	review_notified_at INTEGER
);
CREATE INDEX journeys_persona ON journeys(persona_id);
CREATE TABLE journey_versions (
	journey_id INTEGER NOT NULL REFERENCES journeys(id),
	version INTEGER NOT NULL,
	doc TEXT NOT NULL,
	author_id INTEGER,
	author_email TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	PRIMARY KEY (journey_id, version)
);
-- Versions are immutable: the database refuses to change one. (One line:
-- the migrator splits statements at semicolons that end a line.)
CREATE TRIGGER journey_versions_immutable BEFORE UPDATE ON journey_versions BEGIN SELECT RAISE(ABORT, 'journey versions are immutable'); END;
