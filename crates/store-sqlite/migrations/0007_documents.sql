-- Generated documents (PDF booklets, fiches, syntheses), kept under the hash of what they were
-- made from, so that a document one node made serves every node, and a job's result can be
-- fetched from any node. The same table and meaning as on PostgreSQL.
CREATE TABLE documents (
    key        TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
    media_type TEXT NOT NULL CHECK (media_type <> ''),
    file_name  TEXT NOT NULL CHECK (file_name <> ''),
    bytes      BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX documents_created ON documents (created_at);
