-- Sites per organisation and status, kept by triggers, PostgreSQL dialect (see the SQLite
-- migration for why).

CREATE TABLE organisation_site_counts (
    organisation_id BIGINT NOT NULL,
    status          TEXT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, status)
);

INSERT INTO organisation_site_counts (organisation_id, status, n)
    SELECT organisation_id, status, COUNT(*) FROM websites GROUP BY organisation_id, status;

CREATE FUNCTION websites_site_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE organisation_site_counts SET n = n - 1
            WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO organisation_site_counts (organisation_id, status, n)
            VALUES (NEW.organisation_id, NEW.status, 1)
            ON CONFLICT (organisation_id, status) DO UPDATE
            SET n = organisation_site_counts.n + 1;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER websites_site_count_insert AFTER INSERT ON websites
    FOR EACH ROW EXECUTE FUNCTION websites_site_count_change();
CREATE TRIGGER websites_site_count_update AFTER UPDATE OF organisation_id, status ON websites
    FOR EACH ROW WHEN (OLD.organisation_id <> NEW.organisation_id OR OLD.status <> NEW.status)
    EXECUTE FUNCTION websites_site_count_change();
CREATE TRIGGER websites_site_count_delete AFTER DELETE ON websites
    FOR EACH ROW EXECUTE FUNCTION websites_site_count_change();
