-- Re-engagement rules, their notifications and delivery log, and map
-- overlays (issue 5). Keep sqlite/migrations/0004_rules_overlays.sql in step.
-- No foreign keys to accounts or users: a notification keeps the names it
-- was made with after the account or rule is gone.
CREATE TABLE rules (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	days BIGINT NOT NULL,
	stage TEXT NOT NULL DEFAULT '',
	territory_id BIGINT,
	owner_id BIGINT,
	webhook TEXT NOT NULL DEFAULT '',
	secret TEXT NOT NULL DEFAULT '',
	notify_email BIGINT NOT NULL DEFAULT 0,
	notify_inbox BIGINT NOT NULL DEFAULT 1,
	enabled BIGINT NOT NULL DEFAULT 1,
	created_by BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- One row per (rule, account, day): the unique key is what keeps a rule from
-- notifying twice about an account on one day.
CREATE TABLE notifications (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	user_id BIGINT,
	rule_id BIGINT,
	rule_name TEXT NOT NULL,
	account_id BIGINT NOT NULL,
	account_external_id TEXT NOT NULL DEFAULT '',
	account_name TEXT NOT NULL,
	day TEXT NOT NULL,
	message TEXT NOT NULL DEFAULT '',
	inbox BIGINT NOT NULL,
	email BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at BIGINT,
	emailed_at BIGINT,
	UNIQUE (rule_id, account_id, day)
);
CREATE INDEX notifications_inbox ON notifications(user_id, id) WHERE inbox = 1;
CREATE INDEX notifications_pending_email ON notifications(id) WHERE email = 1 AND emailed_at IS NULL;
CREATE TABLE digests (
	user_id BIGINT NOT NULL,
	day TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (user_id, day)
);
CREATE TABLE deliveries (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	rule_id BIGINT,
	channel TEXT NOT NULL,
	target TEXT NOT NULL,
	accounts BIGINT NOT NULL,
	attempts BIGINT NOT NULL,
	ok BIGINT NOT NULL,
	error TEXT NOT NULL DEFAULT '',
	at BIGINT NOT NULL
);
CREATE INDEX deliveries_rule ON deliveries(rule_id, id);
CREATE TABLE overlays (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	name TEXT NOT NULL UNIQUE,
	features TEXT NOT NULL,
	feature_count BIGINT NOT NULL,
	min_lon DOUBLE PRECISION NOT NULL,
	min_lat DOUBLE PRECISION NOT NULL,
	max_lon DOUBLE PRECISION NOT NULL,
	max_lat DOUBLE PRECISION NOT NULL,
	created_by BIGINT,
	created_at BIGINT NOT NULL
);
