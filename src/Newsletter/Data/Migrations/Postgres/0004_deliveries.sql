-- PostgreSQL twin of Sqlite/0004_deliveries.sql: the same tables and keys; BIGINT for integers, DOUBLE PRECISION for reals.
-- The outbox. A row is written before a digest is sent and marked after the server accepted it; the unique
-- key makes "owed" a fact in the database: one daily digest per subscriber and day, plus numbered resends.
CREATE TABLE deliveries (
    id            TEXT PRIMARY KEY,              -- <subscriber>:<day>:<sequence>
    subscriber_id TEXT NOT NULL,                 -- no foreign key: erased subscribers leave an anonymous count
    digest_date   TEXT NOT NULL,                 -- YYYY-MM-DD
    sequence      BIGINT NOT NULL,              -- 0 = the day's digest, 1, 2, … = manual resends
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    message_id    TEXT NOT NULL,
    paper_count   BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    server_reply  TEXT,                          -- the last reply: success or the reason for failure
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    updated_at    TEXT NOT NULL,
    UNIQUE (subscriber_id, digest_date, sequence)
);
CREATE INDEX deliveries_owed ON deliveries (digest_date, status);

-- The papers in each delivery, in digest order, with why they matched (so a resumed send renders the same mail).
CREATE TABLE delivery_papers (
    delivery_id   TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    rank          BIGINT NOT NULL,
    paper_id      TEXT NOT NULL REFERENCES papers (id),
    subscriber_id TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    matched       TEXT NOT NULL,                 -- JSON array of the keywords as written
    title_spans   TEXT NOT NULL,                 -- JSON [[start, length], …] in the title
    summary_spans TEXT NOT NULL,                 -- JSON [[start, length], …] in the abstract
    PRIMARY KEY (delivery_id, rank)
);
CREATE INDEX delivery_papers_received ON delivery_papers (paper_id, subscriber_id);
