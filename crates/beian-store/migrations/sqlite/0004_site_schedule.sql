-- The scheduler's state, SQLite dialect: when each website is next due for a scan and,
-- while a worker scans it, until when that worker holds it (a lease that lapses by
-- itself if the worker dies). A website without a row has never been scheduled.
--
-- Same conventions as 0001: instants are RFC 3339 text in UTC with microseconds, so
-- comparing the text compares the instants.

CREATE TABLE site_schedule (
    site_id     INTEGER PRIMARY KEY REFERENCES websites (id) ON DELETE CASCADE,
    next_run_at TEXT NOT NULL,
    lease_until TEXT
);
CREATE INDEX site_schedule_due ON site_schedule (next_run_at);
