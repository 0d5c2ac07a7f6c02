-- PostgreSQL twin of Sqlite/0003_subscribers.sql: the same tables and keys; BIGINT for integers, DOUBLE PRECISION for reals.
-- Subscribers: who gets a digest, in which state, and when. Keyword profiles live in profiles (0002).
CREATE TABLE subscribers (
    id            TEXT PRIMARY KEY,          -- random and opaque: used in links and Message-IDs
    email         TEXT NOT NULL UNIQUE,      -- normalised (lower case, ASCII domain)
    name          TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'suppressed')),
    send_hour     BIGINT NOT NULL DEFAULT 8 CHECK (send_hour BETWEEN 0 AND 23),
    time_zone     TEXT NOT NULL DEFAULT 'UTC', -- IANA name
    secret        TEXT NOT NULL,             -- per-subscriber part of the link signature
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    status_reason TEXT,                      -- why unsubscribed or suppressed, e.g. the server's 5xx reply
    updated_at    TEXT NOT NULL
);
CREATE INDEX subscribers_by_status ON subscribers (status);
