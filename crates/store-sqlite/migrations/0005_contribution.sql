-- Contribution and moderation: the revision history of practices, and their attachments.
-- Same tables and meaning as on PostgreSQL (crates/store-postgres/migrations).

-- One row per change of a practice, numbered 1, 2, … per practice. `snapshot` is the whole
-- content after the change (a practice's fields as JSON), `changes` the fields that changed
-- against the content before (a JSON array of {field, before, after}). Erasing a contact
-- person rewrites both in every row of the practice.
CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL CHECK (number > 0),
    at          TEXT NOT NULL,
    actor       INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    actor_email TEXT,
    action      TEXT NOT NULL CHECK (action <> ''),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published', 'archived')),
    comment     TEXT,
    changes     TEXT NOT NULL CHECK (json_type(changes) = 'array'),
    snapshot    TEXT NOT NULL CHECK (json_type(snapshot) = 'object'),
    UNIQUE (practice_id, number)
);

-- Files kept in the database, so that every node serves them. The bytes come last: listing
-- reads the columns before them without reading the overflow pages that hold the file.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL CHECK (file_name <> ''),
    media_type  TEXT NOT NULL CHECK (media_type <> ''),
    size        INTEGER NOT NULL CHECK (size >= 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at  TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    CHECK (size = length(bytes))
);
CREATE INDEX attachments_practice ON attachments (practice_id, id);

-- The review queue and a contributor's drafts.
CREATE INDEX practices_status ON practices (status, updated_at);
