-- A temporary fault defers a digest instead of failing it: it waits, 'deferred', for its next attempt on a retry
-- schedule, the way a mail server keeps a message queued; a message whose end-of-data reply never came is
-- 'uncertain' (it may have been delivered) and is tried once more at most. SQLite changes a CHECK constraint only by
-- making the table again (foreign keys are off while migrations run, and checked before they commit).
CREATE TABLE deliveries_new (
    id              TEXT PRIMARY KEY,              -- <subscriber>:<day>:<sequence>
    subscriber_id   TEXT NOT NULL,                 -- no foreign key: erased subscribers leave an anonymous count
    digest_date     TEXT NOT NULL,                 -- YYYY-MM-DD
    sequence        INTEGER NOT NULL,              -- 0 = the day's digest, 1, 2, … = manual resends
    status          TEXT NOT NULL CHECK (status IN ('pending', 'deferred', 'uncertain', 'sent', 'failed')),
    message_id      TEXT NOT NULL,
    paper_count     INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    server_reply    TEXT,                          -- the last reply: success or the reason for failure
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    updated_at      TEXT NOT NULL,
    claimed_by      TEXT,
    claimed_until   TEXT,
    failure         TEXT,
    failed_in_run   TEXT,
    next_attempt_at TEXT,                          -- when a deferred or uncertain digest is tried again
    deferrals       INTEGER NOT NULL DEFAULT 0,    -- how often it was deferred (its place on the retry schedule)
    UNIQUE (subscriber_id, digest_date, sequence)
);
INSERT INTO deliveries_new (id, subscriber_id, digest_date, sequence, status, message_id, paper_count, attempts, server_reply, created_at,
                            sent_at, updated_at, claimed_by, claimed_until, failure, failed_in_run)
SELECT id, subscriber_id, digest_date, sequence, status, message_id, paper_count, attempts, server_reply, created_at,
       sent_at, updated_at, claimed_by, claimed_until, failure, failed_in_run
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_owed ON deliveries (digest_date, status);
CREATE INDEX deliveries_pending ON deliveries (digest_date, id) WHERE status = 'pending';
CREATE INDEX deliveries_failed_in_run ON deliveries (failed_in_run) WHERE failed_in_run IS NOT NULL;
CREATE INDEX deliveries_failed_recently ON deliveries (updated_at) WHERE status = 'failed';
CREATE INDEX deliveries_retry_due ON deliveries (next_attempt_at) WHERE status IN ('deferred', 'uncertain');

-- Runs tell how far they got while they go (counts written as they happen) and whether their process is still
-- alive: a run whose heartbeat stopped is 'abandoned' by the next process that looks.
ALTER TABLE runs ADD COLUMN deferred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;

-- The nodes sending now, each with a lease it renews: a cluster-wide rate (Smtp:ClusterMaxPerSecond) is shared among
-- the live ones, and a sender's claims are free as soon as its row says it is gone.
CREATE TABLE senders (
    id          TEXT PRIMARY KEY,                  -- the claimer name on its claims
    node        TEXT NOT NULL,                     -- machine name and process id
    alive_until TEXT NOT NULL
);

-- The last listing day each subscriber was planned for (a digest recorded, or nothing matched, or nothing was
-- listed): the schedule plans every listing day since then, so a day the service was down for is not skipped.
ALTER TABLE subscribers ADD COLUMN last_planned_day TEXT;
UPDATE subscribers SET last_planned_day = (
    SELECT max(d.digest_date) FROM deliveries d WHERE d.subscriber_id = subscribers.id AND d.sequence = 0);
