-- Contribution and moderation: the revision history of practices, and their attachments.
-- The same tables and meaning as on SQLite (crates/store-sqlite/migrations), in PostgreSQL's
-- own types.

-- One row per change of a practice, numbered 1, 2, … per practice (numbers are handed out
-- under the store's write lock). `snapshot` is the whole content after the change (a
-- practice's fields), `changes` the fields that changed against the content before (an array
-- of {field, before, after}). Erasing a contact person rewrites both in every row of the
-- practice.
CREATE TABLE revisions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL CHECK (number > 0),
    at          TIMESTAMPTZ NOT NULL,
    actor       BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    actor_email TEXT,
    action      TEXT NOT NULL CHECK (action <> ''),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published', 'archived')),
    comment     TEXT,
    changes     JSONB NOT NULL CHECK (jsonb_typeof(changes) = 'array'),
    snapshot    JSONB NOT NULL CHECK (jsonb_typeof(snapshot) = 'object'),
    UNIQUE (practice_id, number)
);

-- Files kept in the database, so that every node serves them (TOAST keeps the bytes out of
-- the way of a listing).
CREATE TABLE attachments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL CHECK (file_name <> ''),
    media_type  TEXT NOT NULL CHECK (media_type <> ''),
    size        BIGINT NOT NULL CHECK (size >= 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at  TIMESTAMPTZ NOT NULL,
    bytes       BYTEA NOT NULL,
    CHECK (size = octet_length(bytes))
);
CREATE INDEX attachments_practice ON attachments (practice_id, id);

-- The review queue and a contributor's drafts.
CREATE INDEX practices_status ON practices (status, updated_at);
