-- PostgreSQL twin of Sqlite/0011_failures_and_confirmations.sql.
-- One bad digest never stops a day: a delivery that failed says which kind of failure it was and in which run, and
-- a run that sent most of its digests but not all ends 'partial' (or 'abandoned' when its process died).
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned'));

-- Why a delivery failed: 'compose', 'message', 'temporary', 'refused' or 'skipped' (see the SQLite twin), and the
-- run whose sender recorded it, for `runs show`.
ALTER TABLE deliveries ADD COLUMN failure TEXT;
ALTER TABLE deliveries ADD COLUMN failed_in_run TEXT;
CREATE INDEX deliveries_failed_in_run ON deliveries (failed_in_run) WHERE failed_in_run IS NOT NULL;
CREATE INDEX deliveries_failed_recently ON deliveries (updated_at) WHERE status = 'failed';

-- The double opt-in email goes through an outbox of its own, like digests (see the SQLite twin).
CREATE TABLE confirmations (
    id            TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    message_id    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    server_reply  TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    updated_at    TEXT NOT NULL,
    claimed_by    TEXT,
    claimed_until TEXT
);
CREATE INDEX confirmations_owed ON confirmations (created_at) WHERE status = 'pending';
CREATE INDEX confirmations_by_subscriber ON confirmations (subscriber_id, created_at);

-- A minimum score that is not a finite number (stored before the value was checked) broke every read of its profile.
UPDATE profiles SET min_score = NULL WHERE min_score > 1000 OR min_score < 0;
