-- Senders claim owed digests oldest day first, in id order. Without an index on exactly that, every claim read all
-- of the day's rows (sent ones included) and sorted them: a day's send cost grew with the square of its size. A
-- partial index holds only what is still owed, so a claim reads about as many index entries as it takes.
CREATE INDEX deliveries_pending ON deliveries (digest_date, id) WHERE status = 'pending';
