-- Feed-only subscribers (#21): each subscriber reads their digest by email (the default) or only in their private
-- Atom feed. A feed-only subscriber's profile is matched every day like everyone's and the digest is recorded, so the
-- feed and the archive have it, but under the status 'feed': never claimed, sent, retried or counted as failed.
ALTER TABLE subscribers ADD COLUMN delivery TEXT NOT NULL DEFAULT 'email' CHECK (delivery IN ('email', 'feed'));

-- SQLite changes a CHECK constraint only by making the table again, which would have to list every column; here the
-- status column alone is made again (a new column with the wider check, filled, the old one dropped, renamed), so
-- columns other migrations add to deliveries are kept whatever they are. The indexes that name the status go first
-- (a column an index names cannot be dropped) and are made again after.
DROP INDEX deliveries_owed;
DROP INDEX deliveries_pending;
DROP INDEX deliveries_failed_recently;
DROP INDEX deliveries_retry_due;
ALTER TABLE deliveries ADD COLUMN status_with_feed TEXT NOT NULL DEFAULT 'pending'
    CHECK (status_with_feed IN ('pending', 'deferred', 'uncertain', 'sent', 'failed', 'bounced', 'complained', 'feed'));
UPDATE deliveries SET status_with_feed = status;
ALTER TABLE deliveries DROP COLUMN status;
ALTER TABLE deliveries RENAME COLUMN status_with_feed TO status;
CREATE INDEX deliveries_owed ON deliveries (digest_date, status);
CREATE INDEX deliveries_pending ON deliveries (digest_date, id) WHERE status = 'pending';
CREATE INDEX deliveries_failed_recently ON deliveries (updated_at) WHERE status = 'failed';
CREATE INDEX deliveries_retry_due ON deliveries (next_attempt_at) WHERE status IN ('deferred', 'uncertain');
