-- Owed digests are claimed before they are sent: a sender stamps a batch with its name and a lease, so senders
-- running at once (several nodes, or a manual run beside the scheduled one) take disjoint rows, and the rows of a
-- sender that died are taken over when its lease has run out. Times are ISO-8601 UTC text, so they compare as text.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_until TEXT;
