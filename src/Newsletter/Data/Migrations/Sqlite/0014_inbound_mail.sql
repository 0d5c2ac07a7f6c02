-- The return path: a digest the server accepted can still bounce later (a delivery status notification) or be
-- reported as spam (a feedback report); its row moves from 'sent' to 'bounced' or 'complained', with the remote
-- server's words in server_reply. SQLite changes a CHECK constraint only by making the table again (as in 0013).
CREATE TABLE deliveries_new (
    id              TEXT PRIMARY KEY,              -- <subscriber>:<day>:<sequence>
    subscriber_id   TEXT NOT NULL,                 -- no foreign key: erased subscribers leave an anonymous count
    digest_date     TEXT NOT NULL,                 -- YYYY-MM-DD
    sequence        INTEGER NOT NULL,              -- 0 = the day's digest, 1, 2, … = manual resends
    status          TEXT NOT NULL CHECK (status IN ('pending', 'deferred', 'uncertain', 'sent', 'failed', 'bounced', 'complained')),
    message_id      TEXT NOT NULL,
    paper_count     INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    server_reply    TEXT,                          -- the last reply: success, the reason for failure, or the bounce's words
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    updated_at      TEXT NOT NULL,
    claimed_by      TEXT,
    claimed_until   TEXT,
    failure         TEXT,
    failed_in_run   TEXT,
    next_attempt_at TEXT,
    deferrals       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (subscriber_id, digest_date, sequence)
);
INSERT INTO deliveries_new (id, subscriber_id, digest_date, sequence, status, message_id, paper_count, attempts, server_reply, created_at,
                            sent_at, updated_at, claimed_by, claimed_until, failure, failed_in_run, next_attempt_at, deferrals)
SELECT id, subscriber_id, digest_date, sequence, status, message_id, paper_count, attempts, server_reply, created_at,
       sent_at, updated_at, claimed_by, claimed_until, failure, failed_in_run, next_attempt_at, deferrals
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_owed ON deliveries (digest_date, status);
CREATE INDEX deliveries_pending ON deliveries (digest_date, id) WHERE status = 'pending';
CREATE INDEX deliveries_failed_in_run ON deliveries (failed_in_run) WHERE failed_in_run IS NOT NULL;
CREATE INDEX deliveries_failed_recently ON deliveries (updated_at) WHERE status = 'failed';
CREATE INDEX deliveries_retry_due ON deliveries (next_attempt_at) WHERE status IN ('deferred', 'uncertain');
CREATE INDEX deliveries_sent_at ON deliveries (sent_at) WHERE sent_at IS NOT NULL;

-- Every inbound message processed (bounces, complaints, mailto unsubscribes, and what was ignored), written in the
-- same transaction as what it did: the unique key makes "already processed" a fact in the database, so a message
-- fetched again after a crash changes nothing.
CREATE TABLE inbound_mail (
    message_key   TEXT PRIMARY KEY,              -- SHA-256 of the message as read
    message_id    TEXT,                          -- its Message-ID header, if any (for people reading the table)
    kind          TEXT NOT NULL,                 -- hard-bounce | soft-bounce | complaint | unsubscribe | auto-reply | unrecognised | forged
    subscriber_id TEXT,                          -- no foreign key: erasing a subscriber clears their reasons here itself
    delivery_id   TEXT,
    status_code   TEXT,                          -- the DSN's status (5.1.1) or the feedback type (abuse)
    reason        TEXT NOT NULL,                 -- the remote server's words, or why it was ignored
    suppressed    INTEGER NOT NULL DEFAULT 0,    -- 1 when this message suppressed the subscriber
    processed_at  TEXT NOT NULL
);
CREATE INDEX inbound_mail_by_time ON inbound_mail (processed_at);
CREATE INDEX inbound_mail_soft_bounces ON inbound_mail (subscriber_id, processed_at) WHERE kind = 'soft-bounce';
