-- Inventory and audit log, SQLite dialect.
--
-- Dates are ISO text (YYYY-MM-DD) and instants RFC 3339 text in UTC with microseconds,
-- so that both backends share one query path (sqlx `Any` speaks integers, floats and
-- text) and so that text order is time order. Lists (access providers, server IPs) are
-- JSON arrays as text. AUTOINCREMENT keeps ids from being reused after a delete, so an
-- audit entry's entity_id never comes to mean another record.

CREATE TABLE subjects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('company', 'individual', 'other_organisation')),
    id_number   TEXT NOT NULL UNIQUE,
    principal   TEXT NOT NULL,
    province    TEXT,
    status      TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    closed_on   TEXT,
    notes       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE websites (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id       INTEGER NOT NULL REFERENCES subjects (id),
    name             TEXT NOT NULL,
    home_url         TEXT NOT NULL UNIQUE,
    access_providers TEXT NOT NULL,
    server_ips       TEXT NOT NULL,
    go_live_on       TEXT,
    status           TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    closed_on        TEXT,
    notes            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX websites_subject_id ON websites (subject_id);

CREATE TABLE domains (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    unicode_name  TEXT NOT NULL,
    website_id    INTEGER REFERENCES websites (id),
    registrar     TEXT NOT NULL,
    holder        TEXT NOT NULL,
    expires_on    TEXT,
    expiry_source TEXT CHECK (expiry_source IN ('manual', 'import', 'whois', 'rdap', 'miit_query')),
    notes         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX domains_website_id ON domains (website_id);
CREATE INDEX domains_expires_on ON domains (expires_on);

CREATE TABLE filings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('icp_subject', 'icp_website', 'icp_app',
                     'icp_mini_program', 'icp_quick_app', 'icp_licence', 'vat_licence', 'psb')),
    number       TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('active', 'pending', 'cancelled')),
    subject_id   INTEGER NOT NULL REFERENCES subjects (id),
    website_id   INTEGER REFERENCES websites (id),
    parent_id    INTEGER REFERENCES filings (id),
    filed_on     TEXT,
    cancelled_on TEXT,
    notes        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX filings_subject_id ON filings (subject_id);
CREATE INDEX filings_website_id ON filings (website_id);
CREATE INDEX filings_parent_id ON filings (parent_id);

CREATE TABLE persons (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id  INTEGER NOT NULL REFERENCES subjects (id),
    website_id  INTEGER REFERENCES websites (id),
    role        TEXT NOT NULL CHECK (role IN ('principal', 'website', 'emergency')),
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX persons_subject_id ON persons (subject_id);
CREATE INDEX persons_website_id ON persons (website_id);

CREATE TABLE access_providers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    console_url TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The audit log. `seq` is the chain position assigned by the store (not a rowid), and
-- `before`/`after` keep the exact JSON text that was hashed.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER,
    "before"   TEXT,
    "after"    TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- Append-only by construction: the hash chain detects edits made by anyone who drops
-- these triggers, the triggers stop every ordinary writer from making them.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be updated');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
