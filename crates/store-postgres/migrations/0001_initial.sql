-- zesummen on PostgreSQL: the same tables, constraints and meaning as on SQLite
-- (crates/store-sqlite/migrations), in PostgreSQL's own types. Every list keeps its order in a
-- `position` column. Instants are `timestamptz`, wikispiral's zone-less local times
-- `timestamp`; both hold whole seconds (the store cuts them before writing).
--
-- Ids of practices, platforms, groups and criteria are assigned by the store, never reused
-- (see `id_high_water`), and wikispiral's criteria ids are kept: no identity columns there.

-- The highest id ever given per table, like SQLite's `sqlite_sequence`: transactional, so a
-- failed import leaves no gap, and a deleted row's id is never handed out again.
CREATE TABLE id_high_water (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE practices (
    id                BIGINT PRIMARY KEY CHECK (id > 0),
    slug              TEXT NOT NULL,
    title             TEXT NOT NULL,
    subtitle          TEXT,
    institution       TEXT,
    organisers        TEXT,
    objectives        TEXT,
    description       TEXT,
    results           TEXT,
    target_public     TEXT,
    place_periodicity TEXT,
    costs             TEXT,
    other_info        TEXT,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published', 'archived')),
    language          TEXT NOT NULL CHECK (language IN ('fr', 'de', 'en', 'lb')),
    identity_key      TEXT NOT NULL,
    content_hash      TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX practices_identity_key ON practices (identity_key);
CREATE INDEX practices_slug ON practices (slug);
CREATE INDEX practices_updated_at ON practices (updated_at);

CREATE TABLE communes (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE practice_communes (
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    commune_id  BIGINT NOT NULL REFERENCES communes (id),
    PRIMARY KEY (practice_id, position)
);
CREATE INDEX practice_communes_commune ON practice_communes (commune_id);

CREATE TABLE themes (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE practice_themes (
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    theme_id    BIGINT NOT NULL REFERENCES themes (id),
    PRIMARY KEY (practice_id, position)
);
CREATE INDEX practice_themes_theme ON practice_themes (theme_id);

CREATE TABLE contacts (
    practice_id  BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT,
    role         TEXT,
    organisation TEXT,
    address      TEXT,
    phones       TEXT[] NOT NULL CHECK (array_position(phones, NULL) IS NULL),
    emails       TEXT[] NOT NULL CHECK (array_position(emails, NULL) IS NULL),
    PRIMARY KEY (practice_id, position)
);

CREATE TABLE practice_websites (
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    url         TEXT NOT NULL,
    PRIMARY KEY (practice_id, position)
);

-- Codes as printed on the fiche; not checked against the codebook.
CREATE TABLE practice_components (
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT NOT NULL,
    PRIMARY KEY (practice_id, position)
);
CREATE INDEX practice_components_code ON practice_components (code);

CREATE TABLE sources (
    practice_id BIGINT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    document    TEXT NOT NULL,
    first_line  BIGINT NOT NULL CHECK (first_line >= 0),
    last_line   BIGINT NOT NULL,
    truncated   BOOLEAN NOT NULL,
    PRIMARY KEY (practice_id, position),
    CHECK (first_line <= last_line)
);
CREATE INDEX sources_document ON sources (document);

CREATE TABLE platforms (
    id           BIGINT PRIMARY KEY CHECK (id > 0),
    name         TEXT NOT NULL UNIQUE,
    country      TEXT,
    languages    TEXT[] NOT NULL CHECK (array_position(languages, NULL) IS NULL),
    description  TEXT,
    coordination TEXT,
    created_at   TIMESTAMP
);

-- `groups` is an SQL keyword (window frames); the domain's name avoids quoting it everywhere.
CREATE TABLE homogeneous_groups (
    id          BIGINT PRIMARY KEY CHECK (id > 0),
    platform_id BIGINT NOT NULL REFERENCES platforms (id),
    name        TEXT NOT NULL,
    language    TEXT,
    profile     TEXT,
    created_at  TIMESTAMP,
    UNIQUE (platform_id, name)
);

-- Ids are wikispiral's `Crit ID` when known, so they are never reassigned.
CREATE TABLE criteria (
    id          BIGINT PRIMARY KEY CHECK (id > 0),
    group_id    BIGINT NOT NULL REFERENCES homogeneous_groups (id),
    question    TEXT NOT NULL,
    text        TEXT NOT NULL,
    expressions BIGINT CHECK (expressions >= 0),
    component   TEXT,
    -- What a code aggregates to (`A01-11/P15/k` → `A01`, dimension `A`), for fast filters.
    component3  TEXT GENERATED ALWAYS AS (substr(component, 1, 3)) STORED,
    dimension   TEXT GENERATED ALWAYS AS (substr(component, 1, 1)) STORED,
    meaning     TEXT,
    proposition TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX criteria_group_question_text ON criteria (group_id, question, text);
CREATE INDEX criteria_question ON criteria (question);
CREATE INDEX criteria_component3 ON criteria (component3);
CREATE INDEX criteria_dimension ON criteria (dimension);

-- Reference data: loaded from files, never written as enums.
CREATE TABLE codebook_versions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version     TEXT NOT NULL UNIQUE,
    active      BOOLEAN NOT NULL DEFAULT false,
    imported_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX codebook_versions_one_active ON codebook_versions (active) WHERE active;

CREATE TABLE codebook_entries (
    version_id     BIGINT NOT NULL REFERENCES codebook_versions (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    code           TEXT NOT NULL,
    level          TEXT NOT NULL,
    dimension      TEXT NOT NULL,
    label_en       TEXT,
    label_fr       TEXT,
    description_en TEXT,
    status         TEXT NOT NULL,
    source         TEXT,
    PRIMARY KEY (version_id, position),
    UNIQUE (version_id, code)
);

CREATE TABLE meaning_codes (
    code     TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    label_en TEXT,
    label_fr TEXT,
    step     BIGINT,
    status   TEXT NOT NULL,
    source   TEXT
);

CREATE TABLE questions (
    code       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    wording_fr TEXT NOT NULL,
    wording_en TEXT NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL
);

CREATE TABLE scale_levels (
    level    BIGINT PRIMARY KEY,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);

-- The outbox: one row per write that changed a practice, in the writing transaction, so that
-- every node's search index can follow the writes of the others. Ids are handed out under the
-- store's write lock and therefore grow in commit order: a reader that has seen id n has seen
-- every change up to n.
CREATE TABLE changes (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity    TEXT NOT NULL CHECK (entity IN ('practice')),
    entity_id BIGINT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    at        TIMESTAMPTZ NOT NULL
);

-- Long work (PDF generation, reindex) that one node claims and does.
CREATE TABLE jobs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    payload     JSONB NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
    worker      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    result      JSONB,
    error       TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    claimed_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    CHECK ((status = 'queued') = (worker IS NULL))
);
CREATE INDEX jobs_claimable ON jobs (kind, id) WHERE status IN ('queued', 'running');
