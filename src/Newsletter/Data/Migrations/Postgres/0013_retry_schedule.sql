-- PostgreSQL twin of Sqlite/0013_retry_schedule.sql: deferred and uncertain digests wait for their next attempt.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'deferred', 'uncertain', 'sent', 'failed'));
ALTER TABLE deliveries ADD COLUMN next_attempt_at TEXT;
ALTER TABLE deliveries ADD COLUMN deferrals BIGINT NOT NULL DEFAULT 0;
CREATE INDEX deliveries_retry_due ON deliveries (next_attempt_at) WHERE status IN ('deferred', 'uncertain');

-- Runs tell how far they got while they go, and whether their process is still alive.
ALTER TABLE runs ADD COLUMN deferred BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;

-- The nodes sending now, each with a lease it renews (cluster-wide rate, dead senders' claims).
CREATE TABLE senders (
    id          TEXT PRIMARY KEY,
    node        TEXT NOT NULL,
    alive_until TEXT NOT NULL
);

-- The last listing day each subscriber was planned for (a digest recorded, or nothing matched, or nothing was
-- listed): the schedule plans every listing day since then, so a day the service was down for is not skipped.
ALTER TABLE subscribers ADD COLUMN last_planned_day TEXT;
UPDATE subscribers SET last_planned_day = (
    SELECT max(d.digest_date) FROM deliveries d WHERE d.subscriber_id = subscribers.id AND d.sequence = 0);
