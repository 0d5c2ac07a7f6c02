-- PostgreSQL twin of Sqlite/0007_admin.sql: the same tables and keys; BIGINT for integers, DOUBLE PRECISION for reals.
-- A subscriber can pause their digests without unsubscribing (set from the preferences page or the admin API).
ALTER TABLE subscribers ADD COLUMN paused_at TEXT;

-- The admin list pages through subscribers newest first.
CREATE INDEX subscribers_by_created ON subscribers (created_at DESC, email);

-- Who did what through the admin API. The actor is a fingerprint of the API key used, never the key itself;
-- the target is an opaque id, never an email address (so erasing a subscriber leaves nothing personal here).
CREATE TABLE audit_log (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,                  -- e.g. subscribers.create, digests.resend
    target   TEXT,
    details  TEXT                            -- JSON, small
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- Resend requests by their Idempotency-Key: a retried request returns the first answer instead of sending again.
CREATE TABLE resend_requests (
    idempotency_key TEXT PRIMARY KEY,
    created_at      TEXT NOT NULL,
    response        TEXT NOT NULL            -- the JSON answered the first time
);
