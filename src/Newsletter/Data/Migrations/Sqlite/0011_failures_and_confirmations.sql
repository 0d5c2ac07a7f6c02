-- One bad digest never stops a day: a delivery that failed says which kind of failure it was and in which run, and
-- a run that sent most of its digests but not all ends 'partial' (or 'abandoned' when its process died).
-- SQLite cannot change a CHECK constraint in place: runs and its phases are copied aside, made again, and refilled.
CREATE TABLE runs_copy AS SELECT * FROM runs;
CREATE TABLE run_phases_copy AS SELECT * FROM run_phases;
DROP TABLE run_phases;
DROP TABLE runs;
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,               -- scheduled | manual | demo
    digest_date TEXT,                        -- the listing day the run sent digests for
    node        TEXT NOT NULL,               -- machine name and process id
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned')),
    papers      INTEGER NOT NULL DEFAULT 0,
    planned     INTEGER NOT NULL DEFAULT 0,
    sent        INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    suppressed  INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    matches     INTEGER NOT NULL DEFAULT 0,
    retried     INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER
);
CREATE INDEX runs_by_start ON runs (started_at);
CREATE TABLE run_phases (
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    phase       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    items       INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    PRIMARY KEY (run_id, phase)
);
INSERT INTO runs (id, kind, digest_date, node, started_at, finished_at, status, papers, planned, sent, failed, suppressed, error, matches, retried, duration_ms)
SELECT id, kind, digest_date, node, started_at, finished_at, status, papers, planned, sent, failed, suppressed, error, matches, retried, duration_ms FROM runs_copy;
INSERT INTO run_phases (run_id, phase, position, started_at, duration_ms, items, error)
SELECT run_id, phase, position, started_at, duration_ms, items, error FROM run_phases_copy;
DROP TABLE run_phases_copy;
DROP TABLE runs_copy;

-- Why a delivery failed: 'compose' (the digest could not be built), 'message' (the server or the transport refused
-- this message), 'temporary' (still failing after every retry), 'refused' (the address was refused: suppressed),
-- 'skipped' (the subscriber left before it was sent). And the run whose sender recorded it, for `runs show`.
ALTER TABLE deliveries ADD COLUMN failure TEXT;
ALTER TABLE deliveries ADD COLUMN failed_in_run TEXT;
CREATE INDEX deliveries_failed_in_run ON deliveries (failed_in_run) WHERE failed_in_run IS NOT NULL;
CREATE INDEX deliveries_failed_recently ON deliveries (updated_at) WHERE status = 'failed';

-- The double opt-in email goes through an outbox of its own, like digests: the subscribe page only records that
-- one is owed (so it answers as fast for a new address as for a known one), a sender claims and sends it, and at
-- most one is queued per address per Site:ConfirmResendMinutes.
CREATE TABLE confirmations (
    id            TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL,                 -- no foreign key: erasing a subscriber deletes these rows itself
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    message_id    TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
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
