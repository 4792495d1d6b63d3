-- zesummen on SQLite: practices (fiches) and SPIRAL data, normalised.
-- Every list keeps its order in a `position` column. Timestamps are text with whole seconds:
-- `YYYY-MM-DDTHH:MM:SSZ` for instants (UTC), `YYYY-MM-DDTHH:MM:SS` for wikispiral's local times.

CREATE TABLE practices (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
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
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX practices_identity_key ON practices (identity_key);
CREATE INDEX practices_slug ON practices (slug);
CREATE INDEX practices_updated_at ON practices (updated_at);

CREATE TABLE communes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE practice_communes (
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    commune_id  INTEGER NOT NULL REFERENCES communes (id),
    PRIMARY KEY (practice_id, position)
) WITHOUT ROWID;
CREATE INDEX practice_communes_commune ON practice_communes (commune_id);

CREATE TABLE themes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE practice_themes (
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    theme_id    INTEGER NOT NULL REFERENCES themes (id),
    PRIMARY KEY (practice_id, position)
) WITHOUT ROWID;
CREATE INDEX practice_themes_theme ON practice_themes (theme_id);

CREATE TABLE contacts (
    practice_id  INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT,
    role         TEXT,
    organisation TEXT,
    address      TEXT,
    phones       TEXT NOT NULL CHECK (json_type(phones) = 'array'),
    emails       TEXT NOT NULL CHECK (json_type(emails) = 'array'),
    PRIMARY KEY (practice_id, position)
) WITHOUT ROWID;

CREATE TABLE practice_websites (
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    url         TEXT NOT NULL,
    PRIMARY KEY (practice_id, position)
) WITHOUT ROWID;

-- Codes as printed on the fiche; not checked against the codebook.
CREATE TABLE practice_components (
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT NOT NULL,
    PRIMARY KEY (practice_id, position)
) WITHOUT ROWID;
CREATE INDEX practice_components_code ON practice_components (code);

CREATE TABLE sources (
    practice_id INTEGER NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    document    TEXT NOT NULL,
    first_line  INTEGER NOT NULL CHECK (first_line >= 0),
    last_line   INTEGER NOT NULL,
    truncated   INTEGER NOT NULL CHECK (truncated IN (0, 1)),
    PRIMARY KEY (practice_id, position),
    CHECK (first_line <= last_line)
) WITHOUT ROWID;
CREATE INDEX sources_document ON sources (document);

CREATE TABLE platforms (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    country      TEXT,
    languages    TEXT NOT NULL CHECK (json_type(languages) = 'array'),
    description  TEXT,
    coordination TEXT,
    created_at   TEXT
);

-- `groups` is an SQL keyword (window frames); the domain's name avoids quoting it everywhere.
CREATE TABLE homogeneous_groups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    name        TEXT NOT NULL,
    language    TEXT,
    profile     TEXT,
    created_at  TEXT,
    UNIQUE (platform_id, name)
);

-- Ids are wikispiral's `Crit ID` when known, so they are never reassigned.
CREATE TABLE criteria (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL REFERENCES homogeneous_groups (id),
    question    TEXT NOT NULL,
    text        TEXT NOT NULL,
    expressions INTEGER CHECK (expressions >= 0),
    component   TEXT,
    -- What a code aggregates to (`A01-11/P15/k` → `A01`, dimension `A`), for fast filters.
    component3  TEXT GENERATED ALWAYS AS (substr(component, 1, 3)) VIRTUAL,
    dimension   TEXT GENERATED ALWAYS AS (substr(component, 1, 1)) VIRTUAL,
    meaning     TEXT,
    proposition TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX criteria_group_question_text ON criteria (group_id, question, text);
CREATE INDEX criteria_question ON criteria (question);
CREATE INDEX criteria_component3 ON criteria (component3);
CREATE INDEX criteria_dimension ON criteria (dimension);

-- Reference data: loaded from files, never written as enums.
CREATE TABLE codebook_versions (
    id          INTEGER PRIMARY KEY,
    version     TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    imported_at TEXT NOT NULL
);
CREATE UNIQUE INDEX codebook_versions_one_active ON codebook_versions (active) WHERE active = 1;

CREATE TABLE codebook_entries (
    version_id     INTEGER NOT NULL REFERENCES codebook_versions (id) ON DELETE CASCADE,
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
) WITHOUT ROWID;

CREATE TABLE meaning_codes (
    code     TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    label_en TEXT,
    label_fr TEXT,
    step     INTEGER,
    status   TEXT NOT NULL,
    source   TEXT
) WITHOUT ROWID;

CREATE TABLE questions (
    code       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    wording_fr TEXT NOT NULL,
    wording_en TEXT NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE scale_levels (
    level    INTEGER PRIMARY KEY,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);
