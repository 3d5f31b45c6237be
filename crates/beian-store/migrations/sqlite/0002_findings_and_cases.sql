-- Scans, observations, findings and filing cases, SQLite dialect.
--
-- Same conventions as 0001: instants are RFC 3339 text in UTC with microseconds (text
-- order is time order), JSON bodies are text. Findings and observations belong to their
-- website and go with it; cases outlive the records they name (links become NULL).

CREATE TABLE scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scope       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    summary     TEXT,
    CHECK ((finished_at IS NULL) = (summary IS NULL))
);

-- One row per site judged in a scan; `body` is the SiteObservation JSON, NULL when the
-- site was judged without fresh evidence. The unique pair makes a rerun overwrite.
CREATE TABLE observations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scan_id     INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    site_id     INTEGER NOT NULL REFERENCES websites (id) ON DELETE CASCADE,
    observed_at TEXT NOT NULL,
    body        TEXT,
    UNIQUE (scan_id, site_id)
);
CREATE INDEX observations_site ON observations (site_id, observed_at);

-- `severity_rank` orders by severity (info 0 … critical 4) so listings sort on an index.
CREATE TABLE findings (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id           TEXT NOT NULL CHECK (rule_id <> ''),
    site_id           INTEGER NOT NULL REFERENCES websites (id) ON DELETE CASCADE,
    finding_key       TEXT NOT NULL,
    severity          TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    severity_rank     INTEGER NOT NULL CHECK (severity_rank = CASE severity
                          WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2
                          WHEN 'high' THEN 3 WHEN 'critical' THEN 4 END),
    state             TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'suppressed', 'resolved')),
    explanation_zh    TEXT NOT NULL,
    explanation_en    TEXT NOT NULL,
    evidence          TEXT NOT NULL,
    first_seen        TEXT NOT NULL,
    last_seen         TEXT NOT NULL,
    resolved_at       TEXT,
    suppressed_reason TEXT,
    suppressed_until  TEXT,
    suppressed_by     TEXT,
    suppressed_at     TEXT,
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK ((suppressed_reason IS NULL) = (suppressed_until IS NULL)
        AND (suppressed_reason IS NULL) = (suppressed_by IS NULL)
        AND (suppressed_reason IS NULL) = (suppressed_at IS NULL)),
    CHECK (state <> 'suppressed' OR suppressed_reason IS NOT NULL)
);
-- At most one unresolved finding per identity: a rerun or a second writer cannot
-- duplicate one, a finding that comes back after resolving gets a new row.
CREATE UNIQUE INDEX findings_unresolved_identity
    ON findings (site_id, rule_id, finding_key) WHERE resolved_at IS NULL;
-- The listing order (severity, first seen, id): for the default listing of unresolved
-- findings, for everything, per site and per rule. The trailing state columns let a
-- listing's COUNT(*) be answered from the index alone, which keeps it fast at a million
-- findings.
CREATE INDEX findings_unresolved_order
    ON findings (severity_rank DESC, first_seen, id, state, suppressed_until, resolved_at)
    WHERE resolved_at IS NULL;
CREATE INDEX findings_order
    ON findings (severity_rank DESC, first_seen, id, state, suppressed_until);
CREATE INDEX findings_site ON findings (site_id, severity_rank DESC, first_seen, id);
CREATE INDEX findings_rule
    ON findings (rule_id, severity_rank DESC, first_seen, id, state, suppressed_until, resolved_at);

CREATE TABLE cases (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL CHECK (kind IN ('icp_new', 'icp_add_website', 'icp_add_access',
                       'icp_change_subject', 'icp_change_website', 'icp_cancel_subject',
                       'icp_cancel_website', 'icp_cancel_access', 'psb_new', 'psb_change',
                       'psb_cancel')),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'preparing', 'submitted_to_provider',
                       'provider_review', 'sms_verification', 'authority_review', 'approved',
                       'rejected', 'closed', 'withdrawn')),
    subject_id     INTEGER REFERENCES subjects (id) ON DELETE SET NULL,
    site_id        INTEGER REFERENCES websites (id) ON DELETE SET NULL,
    filing_id      INTEGER REFERENCES filings (id) ON DELETE SET NULL,
    finding_id     INTEGER UNIQUE REFERENCES findings (id) ON DELETE SET NULL,
    title          TEXT NOT NULL,
    checklist      TEXT NOT NULL,
    deadlines      TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    opened_by      TEXT NOT NULL,
    state_since    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reference_date TEXT
);
-- Never two unfinished cases of one kind for one site (auto-opening races included).
CREATE UNIQUE INDEX cases_one_open_per_site_and_kind
    ON cases (site_id, kind) WHERE state NOT IN ('closed', 'withdrawn');
CREATE INDEX cases_site_id ON cases (site_id);
CREATE INDEX cases_subject_id ON cases (subject_id);
CREATE INDEX cases_filing_id ON cases (filing_id);

CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action <> ''),
    from_state TEXT,
    to_state   TEXT,
    note       TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);
