-- Sites per organisation and status, kept by triggers, SQLite dialect.
--
-- The overview's "sites by status" and the unfiltered sites listing's total counted
-- 100,000 websites on every page view (a few milliseconds each, which under 32
-- concurrent clients on two cores is most of a page's budget). This table holds the
-- counts instead, changed by triggers in the same transaction as the site's row. It also
-- tells how many sites a user's organisations hold, which picks how a findings listing
-- restricts itself to them (see findings.rs). A count may reach 0 and stay.

CREATE TABLE organisation_site_counts (
    organisation_id INTEGER NOT NULL,
    status          TEXT NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, status)
) WITHOUT ROWID;

INSERT INTO organisation_site_counts (organisation_id, status, n)
    SELECT organisation_id, status, COUNT(*) FROM websites GROUP BY organisation_id, status;

CREATE TRIGGER websites_site_count_insert AFTER INSERT ON websites
BEGIN
    INSERT INTO organisation_site_counts (organisation_id, status, n)
        VALUES (NEW.organisation_id, NEW.status, 1)
        ON CONFLICT (organisation_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER websites_site_count_update AFTER UPDATE OF organisation_id, status ON websites
WHEN OLD.organisation_id <> NEW.organisation_id OR OLD.status <> NEW.status
BEGIN
    UPDATE organisation_site_counts SET n = n - 1
        WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
    INSERT INTO organisation_site_counts (organisation_id, status, n)
        VALUES (NEW.organisation_id, NEW.status, 1)
        ON CONFLICT (organisation_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER websites_site_count_delete AFTER DELETE ON websites
BEGIN
    UPDATE organisation_site_counts SET n = n - 1
        WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
END;
