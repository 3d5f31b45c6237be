-- Site tags, SQLite dialect.
--
-- A site's tags are stored with it (`websites.tags`, a JSON array of strings, like the
-- access providers) so a record reads back whole. Filtering 100,000 sites by a tag and
-- offering an organisation's tags in a drop-down must not scan every site, so triggers
-- keep two derived tables in the same transaction as the site's row: `website_tags` (one
-- row per site and tag, indexed by tag) and `organisation_tag_counts` (how many sites of
-- an organisation carry each tag; a count may reach 0 and stay, readers skip it).

ALTER TABLE websites ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

CREATE TABLE website_tags (
    tag        TEXT NOT NULL,
    website_id INTEGER NOT NULL,
    PRIMARY KEY (tag, website_id)
) WITHOUT ROWID;
CREATE INDEX website_tags_site ON website_tags (website_id);

CREATE TABLE organisation_tag_counts (
    organisation_id INTEGER NOT NULL,
    tag             TEXT NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, tag)
) WITHOUT ROWID;

-- The distinct text elements of a tags array (a malformed value counts as no tags rather
-- than failing the write that carries it).
CREATE TRIGGER websites_tags_insert AFTER INSERT ON websites
BEGIN
    INSERT OR IGNORE INTO website_tags (tag, website_id)
        SELECT DISTINCT value, NEW.id FROM json_each(CASE WHEN json_valid(NEW.tags) THEN NEW.tags ELSE '[]' END)
        WHERE type = 'text';
    INSERT INTO organisation_tag_counts (organisation_id, tag, n)
        SELECT NEW.organisation_id, tag, 1 FROM website_tags WHERE website_id = NEW.id
        ON CONFLICT (organisation_id, tag) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER websites_tags_update AFTER UPDATE OF tags, organisation_id ON websites
WHEN OLD.tags <> NEW.tags OR OLD.organisation_id <> NEW.organisation_id
BEGIN
    UPDATE organisation_tag_counts SET n = n - 1
        WHERE organisation_id = OLD.organisation_id
          AND tag IN (SELECT tag FROM website_tags WHERE website_id = OLD.id);
    DELETE FROM website_tags WHERE website_id = OLD.id;
    INSERT OR IGNORE INTO website_tags (tag, website_id)
        SELECT DISTINCT value, NEW.id FROM json_each(CASE WHEN json_valid(NEW.tags) THEN NEW.tags ELSE '[]' END)
        WHERE type = 'text';
    INSERT INTO organisation_tag_counts (organisation_id, tag, n)
        SELECT NEW.organisation_id, tag, 1 FROM website_tags WHERE website_id = NEW.id
        ON CONFLICT (organisation_id, tag) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER websites_tags_delete BEFORE DELETE ON websites
BEGIN
    UPDATE organisation_tag_counts SET n = n - 1
        WHERE organisation_id = OLD.organisation_id
          AND tag IN (SELECT tag FROM website_tags WHERE website_id = OLD.id);
    DELETE FROM website_tags WHERE website_id = OLD.id;
END;
