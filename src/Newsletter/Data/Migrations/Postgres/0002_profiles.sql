-- PostgreSQL twin of Sqlite/0002_profiles.sql: the same tables and keys; BIGINT for integers, DOUBLE PRECISION for reals.
-- Each subscriber's keyword profile, as typed (validated by the parser before it is saved).
CREATE TABLE profiles (
    subscriber_id TEXT PRIMARY KEY,
    keywords      TEXT NOT NULL,              -- JSON array of keywords as written
    exclusions    TEXT NOT NULL,              -- JSON array of exclusions as written
    max_papers    BIGINT NOT NULL DEFAULT 10,
    min_score     DOUBLE PRECISION,
    updated_at    TEXT NOT NULL
);
