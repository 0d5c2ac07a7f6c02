-- The console's and the admin API's subscriber table filtered by status, newest first, 50 a page: walked in index
-- order instead of sorting every subscriber of that status.
CREATE INDEX subscribers_by_status_created ON subscribers (status, created_at DESC, email);
