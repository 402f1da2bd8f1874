-- The database as the code before Alembic made it (SQLAlchemy create_all of conversations
-- and access; the quiz tables were made only once a quiz was saved), dumped from a data dir.
CREATE TABLE conversations (
	id VARCHAR(64) NOT NULL, 
	org VARCHAR(64), 
	owner VARCHAR(100), 
	title TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_conversations_owner ON conversations (owner);
CREATE TABLE turns (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64), 
	turn INTEGER NOT NULL, 
	question TEXT NOT NULL, 
	rewritten_question TEXT NOT NULL, 
	answer TEXT NOT NULL, 
	refused BOOLEAN NOT NULL, 
	citations TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES conversations (id)
);
CREATE INDEX ix_turns_conversation_id ON turns (conversation_id);
CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64), 
	turn INTEGER NOT NULL, 
	rating INTEGER NOT NULL, 
	comment TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES conversations (id)
);
CREATE INDEX ix_feedback_conversation_id ON feedback (conversation_id);
CREATE TABLE orgs (
	id VARCHAR(64) NOT NULL, 
	name TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE users (
	id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	user_name VARCHAR(100) NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	action VARCHAR(60) NOT NULL, 
	orgs TEXT NOT NULL, 
	detail TEXT NOT NULL, 
	status INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_audit_log_user_name ON audit_log (user_name);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE TABLE user_orgs (
	user_id INTEGER NOT NULL, 
	org_id VARCHAR(64) NOT NULL, 
	PRIMARY KEY (user_id, org_id), 
	FOREIGN KEY(user_id) REFERENCES users (id), 
	FOREIGN KEY(org_id) REFERENCES orgs (id)
);
CREATE TABLE api_keys (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	prefix VARCHAR(16) NOT NULL, 
	key_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id), 
	UNIQUE (key_hash)
);
CREATE INDEX ix_api_keys_prefix ON api_keys (prefix);
CREATE INDEX ix_api_keys_user_id ON api_keys (user_id);
