-- PostgreSQL twin of Sqlite/0019_delivery_mode.sql: feed-only subscribers (#21), whose digests are recorded under
-- the status 'feed' (never claimed, sent, retried or counted as failed) for their feed and archive.
ALTER TABLE subscribers ADD COLUMN delivery TEXT NOT NULL DEFAULT 'email' CHECK (delivery IN ('email', 'feed'));
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'deferred', 'uncertain', 'sent', 'failed', 'bounced', 'complained', 'feed'));
