-- Versions of the concept scheme (issue: meaning across languages). Each version is the whole
-- scheme as JSON; an edit is a new version, so the history is every row. One is active.
CREATE TABLE concept_schemes (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    concepts INTEGER NOT NULL,
    author TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
);
CREATE UNIQUE INDEX concept_schemes_one_active ON concept_schemes (active) WHERE active = 1;
