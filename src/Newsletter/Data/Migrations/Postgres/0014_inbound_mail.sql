-- PostgreSQL twin of Sqlite/0014_inbound_mail.sql: a sent digest can later be 'bounced' or 'complained', and every
-- inbound message processed is recorded under a unique key, in the same transaction as what it did.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'deferred', 'uncertain', 'sent', 'failed', 'bounced', 'complained'));
CREATE INDEX deliveries_sent_at ON deliveries (sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE inbound_mail (
    message_key   TEXT PRIMARY KEY,              -- SHA-256 of the message as read
    message_id    TEXT,
    kind          TEXT NOT NULL,                 -- hard-bounce | soft-bounce | complaint | unsubscribe | auto-reply | unrecognised | forged
    subscriber_id TEXT,
    delivery_id   TEXT,
    status_code   TEXT,
    reason        TEXT NOT NULL,
    suppressed    BIGINT NOT NULL DEFAULT 0,
    processed_at  TEXT NOT NULL
);
CREATE INDEX inbound_mail_by_time ON inbound_mail (processed_at);
CREATE INDEX inbound_mail_soft_bounces ON inbound_mail (subscriber_id, processed_at) WHERE kind = 'soft-bounce';
