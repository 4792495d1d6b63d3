-- Several nodes: the outbox that search indexes follow, and jobs that one node claims.
-- Same tables and meaning as on PostgreSQL (crates/store-postgres/migrations).

-- One row per write that changed a practice, in the writing transaction. Writers hold the
-- write lock (BEGIN IMMEDIATE), so ids grow in commit order.
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL CHECK (entity IN ('practice')),
    entity_id INTEGER NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    at        TEXT NOT NULL
);

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
    worker      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    result      TEXT CHECK (result IS NULL OR json_valid(result)),
    error       TEXT,
    created_at  TEXT NOT NULL,
    claimed_at  TEXT,
    finished_at TEXT,
    CHECK ((status = 'queued') = (worker IS NULL))
);
CREATE INDEX jobs_claimable ON jobs (kind, id) WHERE status IN ('queued', 'running');
