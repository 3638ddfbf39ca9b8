-- Meridian schema, SQLite. Times are Unix milliseconds; ids are INTEGER
-- PRIMARY KEY (the rowid). Keep postgres/migrations/0001_init.sql in step.
CREATE TABLE stages (
	key TEXT PRIMARY KEY,
	position INTEGER NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	color TEXT NOT NULL
);
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	home_lon REAL,
	home_lat REAL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE territories (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	parent_id INTEGER REFERENCES territories(id),
	color TEXT NOT NULL,
	shape TEXT NOT NULL,
	min_lon REAL NOT NULL,
	min_lat REAL NOT NULL,
	max_lon REAL NOT NULL,
	max_lat REAL NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE territory_reps (
	territory_id INTEGER NOT NULL REFERENCES territories(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (territory_id, user_id)
);
CREATE INDEX territory_reps_user ON territory_reps(user_id);
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	name TEXT NOT NULL,
	street TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	postal_code TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	lon REAL,
	lat REAL,
	tile_key INTEGER,
	precision TEXT NOT NULL DEFAULT 'none',
	geo_source TEXT NOT NULL DEFAULT '',
	stage TEXT NOT NULL,
	owner_id INTEGER REFERENCES users(id),
	territory_id INTEGER REFERENCES territories(id),
	estimated_value REAL NOT NULL DEFAULT 0,
	source_channel TEXT NOT NULL DEFAULT '',
	persona_id INTEGER,
	tags TEXT NOT NULL DEFAULT '[]',
	custom TEXT NOT NULL DEFAULT '{}',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	last_visit_at INTEGER,
	last_visit_result TEXT NOT NULL DEFAULT '',
	next_follow_up_at INTEGER,
	do_not_contact INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX accounts_tile ON accounts(tile_key);
CREATE INDEX accounts_owner ON accounts(owner_id);
CREATE INDEX accounts_territory ON accounts(territory_id);
CREATE TABLE interactions (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id),
	at INTEGER NOT NULL,
	channel TEXT NOT NULL,
	type TEXT NOT NULL,
	outcome TEXT NOT NULL DEFAULT '',
	user_id INTEGER REFERENCES users(id),
	variant TEXT NOT NULL DEFAULT '',
	stage TEXT NOT NULL DEFAULT '',
	value REAL NOT NULL DEFAULT 0,
	lon REAL,
	lat REAL,
	notes TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT 'manual',
	properties TEXT NOT NULL DEFAULT '{}',
	created_at INTEGER NOT NULL
);
CREATE INDEX interactions_account_at ON interactions(account_id, at);
CREATE INDEX interactions_at ON interactions(at);
CREATE TABLE tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	name TEXT NOT NULL DEFAULT '',
	hash TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at INTEGER
);
CREATE TABLE sessions (
	hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE TABLE sign_ins (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL,
	ip TEXT NOT NULL,
	ok INTEGER NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX sign_ins_email ON sign_ins(email, at);
CREATE INDEX sign_ins_ip ON sign_ins(ip, at);
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_id INTEGER,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
