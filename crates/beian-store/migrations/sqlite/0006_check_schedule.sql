-- Per-check scheduling, SQLite dialect: each website's checks (registration, dns, http,
-- tls) fall due on their own intervals. A row per (site, check) holds when that check is
-- next due and, while a worker runs it, until when that worker holds it. The site's row
-- in site_schedule stays the site-wide lease (one worker at a time per site, so two
-- partial scans never interleave their observations) and its next_run_at becomes the
-- earliest of its checks', which keeps "what is due" one index range.
--
-- Same conventions as 0001: instants are RFC 3339 text in UTC with microseconds.

CREATE TABLE check_schedule (
    site_id     INTEGER NOT NULL REFERENCES websites (id) ON DELETE CASCADE,
    check_kind  TEXT NOT NULL,
    next_run_at TEXT NOT NULL,
    lease_until TEXT,
    PRIMARY KEY (site_id, check_kind)
);
CREATE INDEX check_schedule_due ON check_schedule (next_run_at);

-- Sites scheduled before this migration: every check due when the site was.
INSERT INTO check_schedule (site_id, check_kind, next_run_at, lease_until)
SELECT s.site_id, k.check_kind, s.next_run_at, NULL
FROM site_schedule s
CROSS JOIN (SELECT 'registration' AS check_kind UNION ALL SELECT 'dns'
            UNION ALL SELECT 'http' UNION ALL SELECT 'tls') k;

-- Daily jobs (the notification digest): claimed once per day across every process.
CREATE TABLE scheduler_jobs (
    job         TEXT NOT NULL,
    day         TEXT NOT NULL,
    lease_until TEXT,
    done_at     TEXT,
    PRIMARY KEY (job, day)
);
