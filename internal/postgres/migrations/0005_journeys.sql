-- Personas and journey maps (issue 6). A journey's row holds what lists
-- show and its latest version number; every save adds a journey_versions
-- row holding the whole document (the interchange JSON), which is never
-- changed afterwards. The author's email is kept beside the id so history
-- survives the user's deletion. Keep sqlite/migrations/0005_journeys.sql
-- in step.
CREATE TABLE personas (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	name TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TABLE journeys (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	name TEXT NOT NULL,
	status TEXT NOT NULL,
	owner_email TEXT NOT NULL DEFAULT '',
	persona_id BIGINT NOT NULL REFERENCES personas(id),
	review_every_days INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	reviewed_at BIGINT NOT NULL,
	-- the due time of the review whose reminder was sent, so it is sent once
	review_notified_at BIGINT
);
CREATE INDEX journeys_persona ON journeys(persona_id);
CREATE TABLE journey_versions (
	journey_id BIGINT NOT NULL REFERENCES journeys(id),
	version INTEGER NOT NULL,
	doc TEXT NOT NULL,
	author_id BIGINT,
	author_email TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	PRIMARY KEY (journey_id, version)
);
-- Versions are immutable: the database refuses to change one. (One line:
-- the migrator splits statements at semicolons that end a line.)
CREATE FUNCTION journey_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'journey versions are immutable'; END $$;
CREATE TRIGGER journey_versions_immutable BEFORE UPDATE ON journey_versions
	FOR EACH ROW EXECUTE FUNCTION journey_versions_immutable();
