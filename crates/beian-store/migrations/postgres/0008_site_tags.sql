-- Site tags, PostgreSQL dialect (see the SQLite migration for the design): the tags stay
-- on the site's row as a JSON array; triggers keep `website_tags` (filtering by tag) and
-- `organisation_tag_counts` (an organisation's tags for the drop-down) in the same
-- transaction.

ALTER TABLE websites ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

CREATE TABLE website_tags (
    tag        TEXT NOT NULL,
    website_id BIGINT NOT NULL,
    PRIMARY KEY (tag, website_id)
);
CREATE INDEX website_tags_site ON website_tags (website_id);

CREATE TABLE organisation_tag_counts (
    organisation_id BIGINT NOT NULL,
    tag             TEXT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, tag)
);

-- The distinct text elements of a tags array; a malformed value counts as no tags rather
-- than failing the write that carries it.
CREATE FUNCTION site_tag_values(tags TEXT) RETURNS SETOF TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    parsed jsonb;
BEGIN
    BEGIN
        parsed := tags::jsonb;
    EXCEPTION WHEN others THEN
        RETURN;
    END;
    IF jsonb_typeof(parsed) <> 'array' THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT DISTINCT value #>> '{}' FROM jsonb_array_elements(parsed) AS value
        WHERE jsonb_typeof(value) = 'string';
END;
$$;

CREATE FUNCTION websites_tags_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE organisation_tag_counts SET n = n - 1
            WHERE organisation_id = OLD.organisation_id
              AND tag IN (SELECT tag FROM website_tags WHERE website_id = OLD.id);
        DELETE FROM website_tags WHERE website_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO website_tags (tag, website_id)
            SELECT value, NEW.id FROM site_tag_values(NEW.tags) AS value
            ON CONFLICT DO NOTHING;
        INSERT INTO organisation_tag_counts (organisation_id, tag, n)
            SELECT NEW.organisation_id, tag, 1 FROM website_tags WHERE website_id = NEW.id
            ON CONFLICT (organisation_id, tag) DO UPDATE
            SET n = organisation_tag_counts.n + 1;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER websites_tags_insert AFTER INSERT ON websites
    FOR EACH ROW EXECUTE FUNCTION websites_tags_change();
CREATE TRIGGER websites_tags_update AFTER UPDATE OF tags, organisation_id ON websites
    FOR EACH ROW WHEN (OLD.tags <> NEW.tags OR OLD.organisation_id <> NEW.organisation_id)
    EXECUTE FUNCTION websites_tags_change();
CREATE TRIGGER websites_tags_delete BEFORE DELETE ON websites
    FOR EACH ROW EXECUTE FUNCTION websites_tags_change();
