-- Accounts, server-side sessions, failed logins and the audit log: the same tables and meaning
-- as on SQLite (crates/store-sqlite/migrations), in PostgreSQL's own types. Sessions and failed
-- logins live here so that every node sharing the database sees them.

-- E-mails are stored trimmed and lower-cased (domain::Email), so UNIQUE is case-blind.
-- Bindings are names, as the permission rules compare them: the communes and institutions a
-- contributor writes for, the platforms a facilitator manages. Accounts are disabled, never
-- deleted: the audit log keeps pointing at them.
CREATE TABLE accounts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'contributor', 'facilitator')),
    communes      TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(communes, NULL) IS NULL),
    institutions  TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(institutions, NULL) IS NULL),
    platforms     TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(platforms, NULL) IS NULL),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- The key is the SHA-256 (hex) of the token the browser holds; the token is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    CHECK (created_at <= expires_at)
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_account ON sessions (account_id);

-- One row per failed login, keyed by what is throttled (`ip:…`, `email:…`).
CREATE TABLE login_failures (
    id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    actor_email TEXT,
    action      TEXT NOT NULL CHECK (action <> ''),
    target      TEXT,
    detail      JSONB NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
