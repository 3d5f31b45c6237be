-- What each notification channel was last told about each finding, SQLite dialect: the
-- notifier's dedupe key, kept here so a problem is announced once across restarts and
-- processes. `mark` is the notifier's JSON (severity and state); the store does not read it.
--
-- Same conventions as 0001: instants are RFC 3339 text in UTC with microseconds.

CREATE TABLE notification_log (
    channel    TEXT NOT NULL,
    finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    mark       TEXT NOT NULL,
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (finding_id, channel)
);
