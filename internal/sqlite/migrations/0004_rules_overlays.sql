-- Re-engagement rules, their notifications and delivery log, and map
-- overlays (issue 5). Keep postgres/migrations/0004_rules_overlays.sql in step.
-- No foreign keys to accounts or users: a notification keeps the names it
-- was made with after the account or rule is gone.
CREATE TABLE rules (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	days INTEGER NOT NULL,
	stage TEXT NOT NULL DEFAULT '',
	territory_id INTEGER,
	owner_id INTEGER,
	webhook TEXT NOT NULL DEFAULT '',
	secret TEXT NOT NULL DEFAULT '',
	notify_email INTEGER NOT NULL DEFAULT 0,
	notify_inbox INTEGER NOT NULL DEFAULT 1,
	enabled INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
-- One row per (rule, account, day): the unique key is what keeps a rule from
-- notifying twice about an account on one day.
CREATE TABLE notifications (
	id INTEGER PRIMARY KEY,
	user_id INTEGER,
	rule_id INTEGER,
	rule_name TEXT NOT NULL,
	account_id INTEGER NOT NULL,
	account_external_id TEXT NOT NULL DEFAULT '',
	account_name TEXT NOT NULL,
	day TEXT NOT NULL,
	message TEXT NOT NULL DEFAULT '',
	inbox INTEGER NOT NULL,
	email INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	read_at INTEGER,
	emailed_at INTEGER,
	UNIQUE (rule_id, account_id, day)
);
CREATE INDEX notifications_inbox ON notifications(user_id, id) WHERE inbox = 1;
CREATE INDEX notifications_pending_email ON notifications(id) WHERE email = 1 AND emailed_at IS NULL;
CREATE TABLE digests (
	user_id INTEGER NOT NULL,
	day TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, day)
);
CREATE TABLE deliveries (
	id INTEGER PRIMARY KEY,
	rule_id INTEGER,
	channel TEXT NOT NULL,
	target TEXT NOT NULL,
	accounts INTEGER NOT NULL,
	attempts INTEGER NOT NULL,
	ok INTEGER NOT NULL,
	error TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL
);
CREATE INDEX deliveries_rule ON deliveries(rule_id, id);
CREATE TABLE overlays (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	features TEXT NOT NULL,
	feature_count INTEGER NOT NULL,
	min_lon REAL NOT NULL,
	min_lat REAL NOT NULL,
	max_lon REAL NOT NULL,
	max_lat REAL NOT NULL,
	created_by INTEGER,
	created_at INTEGER NOT NULL
);
