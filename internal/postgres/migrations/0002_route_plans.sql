-- Route plans (issue 4). A plan's routes, stops and request are one JSON
-- document (body): they are always read and written whole. route_plan_reps
-- lists the reps a plan is for, so a rep's plans are an indexed lookup.
-- No foreign keys to users: deleting a user keeps the plans they made.
-- Keep sqlite/migrations/0002_route_plans.sql in step.
CREATE TABLE route_plans (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	name TEXT NOT NULL,
	day TEXT NOT NULL,
	time_zone TEXT NOT NULL,
	created_by BIGINT NOT NULL DEFAULT 0,
	matrix TEXT NOT NULL DEFAULT '',
	distance_meters DOUBLE PRECISION NOT NULL DEFAULT 0,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TABLE route_plan_reps (
	plan_id BIGINT NOT NULL REFERENCES route_plans(id),
	user_id BIGINT NOT NULL,
	PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX route_plan_reps_user ON route_plan_reps(user_id, plan_id);
