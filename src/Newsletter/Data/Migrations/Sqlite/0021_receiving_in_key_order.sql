-- Planning and marking walk a day's receiving subscribers a page at a time in the order of their id
-- (status = 'active' AND id > @After ORDER BY id LIMIT n). With the index on status alone, SQLite took it and sorted
-- every remaining active subscriber for each page: a million subscribers made that quadratic (the plan's page reads
-- and the marking of a million subscribers took about a minute each). On (status, id) a page is a range of the index,
-- already in order; it still serves the counts by status.
DROP INDEX subscribers_by_status;
CREATE INDEX subscribers_by_status ON subscribers (status, id);
