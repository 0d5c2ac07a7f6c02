-- PostgreSQL twin of Sqlite/0001_papers.sql: the same tables and keys; BIGINT for integers, DOUBLE PRECISION for reals.
-- Papers keyed by arXiv id without version: one row however many days a paper trends.
CREATE TABLE papers (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    authors      TEXT NOT NULL,      -- JSON array of names
    organization TEXT,
    upvotes      BIGINT NOT NULL,   -- as listed on last_seen
    published_at TEXT,              -- ISO-8601, UTC
    first_seen   TEXT NOT NULL,      -- earliest listing day, YYYY-MM-DD
    last_seen    TEXT NOT NULL,      -- latest listing day, YYYY-MM-DD
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- The days each paper was listed on, with its place and upvotes in that day's list.
CREATE TABLE paper_days (
    day      TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id),
    position BIGINT NOT NULL,
    upvotes  BIGINT NOT NULL,
    PRIMARY KEY (day, paper_id)
);
CREATE INDEX paper_days_by_paper ON paper_days (paper_id);

-- Each listing ingested: which day, from where, and how many papers it held (zero is a real answer).
CREATE TABLE listings (
    day         TEXT NOT NULL,
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    paper_count BIGINT NOT NULL,
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (day, source)
);
