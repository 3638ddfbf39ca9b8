-- Territory design (issue 8): the history of applied balances, each with the
-- territories it replaced and the ones it made (GeoJSON text), so a change
-- can be read back and undone by hand. Keep sqlite/migrations/0007_territory_design.sql in step.
CREATE TABLE territory_history (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	at BIGINT NOT NULL,
	actor_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
	action TEXT NOT NULL,
	summary TEXT NOT NULL,
	before_state TEXT NOT NULL,
	after_state TEXT NOT NULL
);
CREATE INDEX territory_history_at ON territory_history(at);
