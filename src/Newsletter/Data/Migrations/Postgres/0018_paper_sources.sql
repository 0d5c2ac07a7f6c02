-- PostgreSQL twin of Sqlite/0018_paper_sources.sql.
-- Several sources at once (Sources:Feeds): a paper is one row however many sources list it; which sources listed it
-- on which day, its arXiv categories, and the sources that could not be fetched for a day.

-- arXiv categories as a source lists them, primary first (JSON array; '[]' when no source gave any, like the HF list).
ALTER TABLE papers ADD COLUMN categories TEXT NOT NULL DEFAULT '[]';

-- Every configured source (Sources:Feeds name, e.g. hf, arxiv) that listed a paper on a day.
CREATE TABLE paper_sources (
    day      TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id),
    source   TEXT NOT NULL,
    PRIMARY KEY (day, paper_id, source)
);
CREATE INDEX paper_sources_by_paper ON paper_sources (paper_id);

-- A source that failed for a day while others were stored (or all failed); removed when it is fetched for that day later.
CREATE TABLE source_failures (
    day       TEXT NOT NULL,
    source    TEXT NOT NULL,
    error     TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (day, source)
);
