-- Field activity (issue 5): check-in verification and follow-ups on
-- interactions, automatic visits' end and duration, GPS pings and each
-- user's tracking switch. New interaction columns have defaults, so an
-- insert that does not name them still works. Keep sqlite/migrations/0003_field.sql in step.
ALTER TABLE interactions ADD COLUMN ended_at BIGINT;
ALTER TABLE interactions ADD COLUMN duration_s BIGINT NOT NULL DEFAULT 0;
-- verified and distance_m are NULL when the check-in had no location (or the
-- account none).
ALTER TABLE interactions ADD COLUMN verified INTEGER;
ALTER TABLE interactions ADD COLUMN distance_m DOUBLE PRECISION;
ALTER TABLE interactions ADD COLUMN follow_up_at BIGINT;
-- One automatic visit per rep, account and start: re-uploaded pings cannot
-- add a second.
CREATE UNIQUE INDEX interactions_auto ON interactions(user_id, account_id, at) WHERE source = 'auto';
CREATE INDEX interactions_user_at ON interactions(user_id, at);
-- A ping is keyed by its user and time, so a batch sent twice is stored once.
CREATE TABLE pings (
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	accuracy_m DOUBLE PRECISION,
	PRIMARY KEY (user_id, at)
);
CREATE INDEX pings_at ON pings(at);
CREATE TABLE user_tracking (
	user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	enabled INTEGER NOT NULL,
	updated_at BIGINT NOT NULL
);
