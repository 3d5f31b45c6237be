-- Finding counts kept up to date by triggers, SQLite dialect.
--
-- The dashboard shows how many unresolved findings each organisation and each site has,
-- by severity, on every page view; counting a million findings per view took about a
-- second. These two tables hold the counts instead, changed by triggers in the same
-- transaction as the finding, so they are exact under any writer (the CLI, the server,
-- workers) and cost a few row updates per finding change. A count row may reach 0 and
-- stay; readers add up `n`.
--
-- "Unresolved" is `resolved_at IS NULL` (open, acknowledged and suppressed alike):
-- whether a suppression has run out is decided when read, not stored, so it cannot be
-- counted here.

CREATE TABLE site_finding_counts (
    site_id       INTEGER NOT NULL,
    severity_rank INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (site_id, severity_rank)
) WITHOUT ROWID;

CREATE TABLE organisation_finding_counts (
    organisation_id INTEGER NOT NULL,
    severity_rank   INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, severity_rank)
) WITHOUT ROWID;

INSERT INTO site_finding_counts (site_id, severity_rank, n)
    SELECT site_id, severity_rank, COUNT(*) FROM findings
    WHERE resolved_at IS NULL GROUP BY site_id, severity_rank;
INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
    SELECT w.organisation_id, c.severity_rank, SUM(c.n)
    FROM site_finding_counts c JOIN websites w ON w.id = c.site_id
    GROUP BY w.organisation_id, c.severity_rank;

CREATE TRIGGER findings_count_insert AFTER INSERT ON findings
WHEN NEW.resolved_at IS NULL
BEGIN
    INSERT INTO site_finding_counts (site_id, severity_rank, n)
        VALUES (NEW.site_id, NEW.severity_rank, 1)
        ON CONFLICT (site_id, severity_rank) DO UPDATE SET n = n + 1;
    INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
        SELECT organisation_id, NEW.severity_rank, 1 FROM websites WHERE id = NEW.site_id
        ON CONFLICT (organisation_id, severity_rank) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER findings_count_update AFTER UPDATE OF resolved_at, severity_rank, site_id ON findings
WHEN (OLD.resolved_at IS NULL) <> (NEW.resolved_at IS NULL)
    OR OLD.severity_rank <> NEW.severity_rank
    OR OLD.site_id <> NEW.site_id
BEGIN
    UPDATE site_finding_counts SET n = n - 1
        WHERE OLD.resolved_at IS NULL
          AND site_id = OLD.site_id AND severity_rank = OLD.severity_rank;
    UPDATE organisation_finding_counts SET n = n - 1
        WHERE OLD.resolved_at IS NULL AND severity_rank = OLD.severity_rank
          AND organisation_id = (SELECT organisation_id FROM websites WHERE id = OLD.site_id);
    INSERT INTO site_finding_counts (site_id, severity_rank, n)
        SELECT NEW.site_id, NEW.severity_rank, 1 WHERE NEW.resolved_at IS NULL
        ON CONFLICT (site_id, severity_rank) DO UPDATE SET n = n + 1;
    INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
        SELECT organisation_id, NEW.severity_rank, 1 FROM websites
        WHERE id = NEW.site_id AND NEW.resolved_at IS NULL
        ON CONFLICT (organisation_id, severity_rank) DO UPDATE SET n = n + 1;
END;

-- When a site goes (with its findings, by cascade), its counts leave its organisation
-- before the row does; the cascaded finding deletions then find no website and change
-- no organisation count a second time.
CREATE TRIGGER findings_count_delete AFTER DELETE ON findings
WHEN OLD.resolved_at IS NULL
BEGIN
    UPDATE site_finding_counts SET n = n - 1
        WHERE site_id = OLD.site_id AND severity_rank = OLD.severity_rank;
    UPDATE organisation_finding_counts SET n = n - 1
        WHERE severity_rank = OLD.severity_rank
          AND organisation_id = (SELECT organisation_id FROM websites WHERE id = OLD.site_id);
END;

CREATE TRIGGER websites_count_delete BEFORE DELETE ON websites
BEGIN
    UPDATE organisation_finding_counts SET n = n - COALESCE((SELECT c.n FROM site_finding_counts c
            WHERE c.site_id = OLD.id AND c.severity_rank = organisation_finding_counts.severity_rank), 0)
        WHERE organisation_id = OLD.organisation_id;
END;

CREATE TRIGGER websites_count_forget AFTER DELETE ON websites
BEGIN
    DELETE FROM site_finding_counts WHERE site_id = OLD.id;
END;

-- A site moved to another organisation takes its counts along.
CREATE TRIGGER websites_count_move AFTER UPDATE OF organisation_id ON websites
WHEN OLD.organisation_id <> NEW.organisation_id
BEGIN
    UPDATE organisation_finding_counts SET n = n - COALESCE((SELECT c.n FROM site_finding_counts c
            WHERE c.site_id = NEW.id AND c.severity_rank = organisation_finding_counts.severity_rank), 0)
        WHERE organisation_id = OLD.organisation_id;
    INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
        SELECT NEW.organisation_id, severity_rank, n FROM site_finding_counts
        WHERE site_id = NEW.id AND n > 0
        ON CONFLICT (organisation_id, severity_rank) DO UPDATE SET n = n + excluded.n;
END;

-- The overview's trend chart: the organisation counts as they stood on each Beijing day,
-- written when a dashboard or scan records them (at most one row per day and severity,
-- overwritten through the day so the last value of a day stays).
CREATE TABLE finding_trend (
    organisation_id INTEGER NOT NULL,
    day             TEXT NOT NULL,
    severity_rank   INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (organisation_id, day, severity_rank)
) WITHOUT ROWID;

-- Sites by status per organisation, from the index alone.
CREATE INDEX websites_organisation_status ON websites (organisation_id, status);
