-- Each subscriber's keyword profile, as typed (validated by the parser before it is saved).
CREATE TABLE profiles (
    subscriber_id TEXT PRIMARY KEY,
    keywords      TEXT NOT NULL,              -- JSON array of keywords as written
    exclusions    TEXT NOT NULL,              -- JSON array of exclusions as written
    max_papers    INTEGER NOT NULL DEFAULT 10,
    min_score     REAL,
    updated_at    TEXT NOT NULL
);
