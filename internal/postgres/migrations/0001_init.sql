-- Meridian schema, PostgreSQL. Times are Unix milliseconds; ids are BIGINT
-- handed out by the sequence meridian_ids. Keep sqlite/migrations/0001_init.sql in step.
CREATE SEQUENCE meridian_ids;
CREATE TABLE stages (
	key TEXT PRIMARY KEY,
	position BIGINT NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	color TEXT NOT NULL
);
CREATE TABLE users (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	home_lon DOUBLE PRECISION,
	home_lat DOUBLE PRECISION,
	disabled BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TABLE territories (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	name TEXT NOT NULL UNIQUE,
	parent_id BIGINT REFERENCES territories(id),
	color TEXT NOT NULL,
	shape TEXT NOT NULL,
	min_lon DOUBLE PRECISION NOT NULL,
	min_lat DOUBLE PRECISION NOT NULL,
	max_lon DOUBLE PRECISION NOT NULL,
	max_lat DOUBLE PRECISION NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TABLE territory_reps (
	territory_id BIGINT NOT NULL REFERENCES territories(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	PRIMARY KEY (territory_id, user_id)
);
CREATE INDEX territory_reps_user ON territory_reps(user_id);
CREATE TABLE accounts (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	external_id TEXT UNIQUE,
	name TEXT NOT NULL,
	street TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	postal_code TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	lon DOUBLE PRECISION,
	lat DOUBLE PRECISION,
	tile_key BIGINT,
	precision TEXT NOT NULL DEFAULT 'none',
	geo_source TEXT NOT NULL DEFAULT '',
	stage TEXT NOT NULL,
	owner_id BIGINT REFERENCES users(id),
	territory_id BIGINT REFERENCES territories(id),
	estimated_value DOUBLE PRECISION NOT NULL DEFAULT 0,
	source_channel TEXT NOT NULL DEFAULT '',
	persona_id BIGINT,
	tags TEXT NOT NULL DEFAULT '[]',
	custom TEXT NOT NULL DEFAULT '{}',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	last_visit_at BIGINT,
	last_visit_result TEXT NOT NULL DEFAULT '',
	next_follow_up_at BIGINT,
	do_not_contact BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX accounts_tile ON accounts(tile_key);
CREATE INDEX accounts_owner ON accounts(owner_id);
CREATE INDEX accounts_territory ON accounts(territory_id);
CREATE TABLE interactions (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	account_id BIGINT NOT NULL REFERENCES accounts(id),
	at BIGINT NOT NULL,
	channel TEXT NOT NULL,
	type TEXT NOT NULL,
	outcome TEXT NOT NULL DEFAULT '',
	user_id BIGINT REFERENCES users(id),
	variant TEXT NOT NULL DEFAULT '',
	stage TEXT NOT NULL DEFAULT '',
	value DOUBLE PRECISION NOT NULL DEFAULT 0,
	lon DOUBLE PRECISION,
	lat DOUBLE PRECISION,
	notes TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT 'manual',
	properties TEXT NOT NULL DEFAULT '{}',
	created_at BIGINT NOT NULL
);
CREATE INDEX interactions_account_at ON interactions(account_id, at);
CREATE INDEX interactions_at ON interactions(at);
CREATE TABLE tokens (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	user_id BIGINT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL DEFAULT '',
	hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);
CREATE TABLE sessions (
	hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE TABLE sign_ins (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	email TEXT NOT NULL,
	ip TEXT NOT NULL,
	ok BIGINT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX sign_ins_email ON sign_ins(email, at);
CREATE INDEX sign_ins_ip ON sign_ins(ip, at);
CREATE TABLE audit (
	id BIGINT PRIMARY KEY DEFAULT nextval('meridian_ids'),
	at BIGINT NOT NULL,
	actor_id BIGINT,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
