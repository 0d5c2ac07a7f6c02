-- PostgreSQL twin of Sqlite/0006_runs.sql: the same tables and keys; BIGINT for integers, DOUBLE PRECISION for reals.
-- Every digest run, scheduled or by hand: what it did and how it ended, for admins and for `runs list`.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,               -- scheduled | manual | demo
    digest_date TEXT,                        -- the listing day the run sent digests for
    node        TEXT NOT NULL,               -- machine name and process id
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    papers      BIGINT NOT NULL DEFAULT 0,
    planned     BIGINT NOT NULL DEFAULT 0,
    sent        BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    suppressed  BIGINT NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX runs_by_start ON runs (started_at);
