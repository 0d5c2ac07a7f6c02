-- Each run's phases (ingest, match, render, send) with how long each took and how many items it handled,
-- written as each phase ends so a running run shows how far it got.
CREATE TABLE run_phases (
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    phase       TEXT NOT NULL,
    position    INTEGER NOT NULL,            -- order within the run
    started_at  TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    items       BIGINT NOT NULL DEFAULT 0,
    error       TEXT,
    PRIMARY KEY (run_id, phase)
);
ALTER TABLE runs ADD COLUMN matches BIGINT NOT NULL DEFAULT 0;   -- (subscriber, paper) pairs selected
ALTER TABLE runs ADD COLUMN retried BIGINT NOT NULL DEFAULT 0;   -- extra attempts the mail server made us take
ALTER TABLE runs ADD COLUMN duration_ms BIGINT;
