-- What is still owed, in the order senders claim it (oldest day first, then id). Senders go on from their last
-- claim, and every serve node asks "anything owed?" every few seconds: with this index both read only entries still
-- owed, instead of every digest of the day (a claim read all of them and sorted them, so a day's send cost grew
-- with the square of its size) or of all history.
CREATE INDEX deliveries_pending ON deliveries (digest_date, id) WHERE status = 'pending';
