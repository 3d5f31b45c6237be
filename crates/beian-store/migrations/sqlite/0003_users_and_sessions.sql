-- Organisations, users, sessions and API tokens, SQLite dialect.
--
-- Same conventions as 0001: instants are RFC 3339 text in UTC with microseconds. Secrets
-- are never stored: passwords as argon2id PHC strings, session and API tokens as the
-- hex SHA-256 of the token. Organisation 1 is the default one: every website that
-- existed before this migration, and every website added without naming one, is in it.

CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE CHECK (name <> ''),
    created_at TEXT NOT NULL
);
INSERT INTO organisations (id, name, created_at)
    VALUES (1, '默认组织 / Default organisation', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));

-- SQLite cannot add a column with both a REFERENCES clause and a non-NULL default while
-- foreign keys are on; the store checks the organisation exists when it moves a site,
-- and organisations are never deleted.
ALTER TABLE websites ADD COLUMN organisation_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX websites_organisation ON websites (organisation_id, id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE CHECK (name <> ''),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (user_id, organisation_id)
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL CHECK (csrf_token <> ''),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (name <> ''),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);
-- A live token's name is unique per user, so a listing names each one unambiguously.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (user_id, name) WHERE revoked_at IS NULL;
