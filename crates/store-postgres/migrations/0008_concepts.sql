-- Versions of the concept scheme (issue: meaning across languages). Each version is the whole
-- scheme as JSON; an edit is a new version, so the history is every row. One is active.
CREATE TABLE concept_schemes (
    version BIGINT PRIMARY KEY,
    body TEXT NOT NULL,
    concepts BIGINT NOT NULL,
    author TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    active BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX concept_schemes_one_active ON concept_schemes (active) WHERE active;
