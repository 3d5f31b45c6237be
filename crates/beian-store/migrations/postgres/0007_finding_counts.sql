-- Finding counts kept up to date by triggers, PostgreSQL dialect.
--
-- Same design as the SQLite migration: exact per-site and per-organisation counts of
-- unresolved findings by severity, changed in the finding's own transaction, so the
-- dashboard never counts a million rows per view. On PostgreSQL two workers writing
-- findings of one organisation at once queue on its count row for the rest of their
-- transactions; the per-site judgement transactions are short, so the wait is too.

CREATE TABLE site_finding_counts (
    site_id       BIGINT NOT NULL,
    severity_rank BIGINT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (site_id, severity_rank)
);

CREATE TABLE organisation_finding_counts (
    organisation_id BIGINT NOT NULL,
    severity_rank   BIGINT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, severity_rank)
);

INSERT INTO site_finding_counts (site_id, severity_rank, n)
    SELECT site_id, severity_rank, COUNT(*) FROM findings
    WHERE resolved_at IS NULL GROUP BY site_id, severity_rank;
INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
    SELECT w.organisation_id, c.severity_rank, SUM(c.n)
    FROM site_finding_counts c JOIN websites w ON w.id = c.site_id
    GROUP BY w.organisation_id, c.severity_rank;

CREATE FUNCTION finding_count_add(site BIGINT, rank BIGINT, delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF delta > 0 THEN
        INSERT INTO site_finding_counts (site_id, severity_rank, n) VALUES (site, rank, delta)
            ON CONFLICT (site_id, severity_rank)
            DO UPDATE SET n = site_finding_counts.n + excluded.n;
        INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
            SELECT organisation_id, rank, delta FROM websites WHERE id = site
            ON CONFLICT (organisation_id, severity_rank)
            DO UPDATE SET n = organisation_finding_counts.n + excluded.n;
    ELSE
        -- Updates only: a site being deleted (its findings following by cascade) has no
        -- count rows and no website any more, and its counts already left its
        -- organisation in websites_count_delete.
        UPDATE site_finding_counts SET n = n + delta
            WHERE site_id = site AND severity_rank = rank;
        UPDATE organisation_finding_counts SET n = n + delta
            WHERE severity_rank = rank
              AND organisation_id = (SELECT organisation_id FROM websites WHERE id = site);
    END IF;
END $$;

CREATE FUNCTION findings_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.resolved_at IS NULL THEN
        PERFORM finding_count_add(OLD.site_id, OLD.severity_rank, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.resolved_at IS NULL THEN
        PERFORM finding_count_add(NEW.site_id, NEW.severity_rank, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER findings_count_insert AFTER INSERT ON findings
    FOR EACH ROW WHEN (NEW.resolved_at IS NULL) EXECUTE FUNCTION findings_count_change();
CREATE TRIGGER findings_count_update AFTER UPDATE OF resolved_at, severity_rank, site_id ON findings
    FOR EACH ROW WHEN ((OLD.resolved_at IS NULL) <> (NEW.resolved_at IS NULL)
        OR OLD.severity_rank <> NEW.severity_rank OR OLD.site_id <> NEW.site_id)
    EXECUTE FUNCTION findings_count_change();
CREATE TRIGGER findings_count_delete AFTER DELETE ON findings
    FOR EACH ROW WHEN (OLD.resolved_at IS NULL) EXECUTE FUNCTION findings_count_change();

CREATE FUNCTION websites_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisation_finding_counts o SET n = o.n - c.n
        FROM site_finding_counts c
        WHERE c.site_id = OLD.id AND o.organisation_id = OLD.organisation_id
          AND o.severity_rank = c.severity_rank;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM site_finding_counts WHERE site_id = OLD.id;
        RETURN OLD;
    END IF;
    INSERT INTO organisation_finding_counts (organisation_id, severity_rank, n)
        SELECT NEW.organisation_id, severity_rank, n FROM site_finding_counts
        WHERE site_id = NEW.id AND n > 0
        ON CONFLICT (organisation_id, severity_rank)
        DO UPDATE SET n = organisation_finding_counts.n + excluded.n;
    RETURN NEW;
END $$;

-- BEFORE DELETE: the counts leave the organisation while the site's rows are still there.
CREATE TRIGGER websites_count_delete BEFORE DELETE ON websites
    FOR EACH ROW EXECUTE FUNCTION websites_count_change();
CREATE TRIGGER websites_count_move AFTER UPDATE OF organisation_id ON websites
    FOR EACH ROW WHEN (OLD.organisation_id <> NEW.organisation_id)
    EXECUTE FUNCTION websites_count_change();

CREATE TABLE finding_trend (
    organisation_id BIGINT NOT NULL,
    day             TEXT NOT NULL,
    severity_rank   BIGINT NOT NULL,
    n               BIGINT NOT NULL,
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (organisation_id, day, severity_rank)
);

CREATE INDEX websites_organisation_status ON websites (organisation_id, status);
