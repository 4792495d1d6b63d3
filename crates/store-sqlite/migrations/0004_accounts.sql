-- Accounts, server-side sessions, failed logins and the audit log.
-- Same tables and meaning as on PostgreSQL (crates/store-postgres/migrations).

-- E-mails are stored trimmed and lower-cased (domain::Email), so UNIQUE is case-blind.
-- Bindings are names, as the permission rules compare them: the communes and institutions a
-- contributor writes for, the platforms a facilitator manages. Accounts are disabled, never
-- deleted: the audit log keeps pointing at them.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'contributor', 'facilitator')),
    communes      TEXT NOT NULL DEFAULT '[]' CHECK (json_type(communes) = 'array'),
    institutions  TEXT NOT NULL DEFAULT '[]' CHECK (json_type(institutions) = 'array'),
    platforms     TEXT NOT NULL DEFAULT '[]' CHECK (json_type(platforms) = 'array'),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- The key is the SHA-256 (hex) of the token the browser holds; the token is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK (created_at <= expires_at)
) WITHOUT ROWID;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_account ON sessions (account_id);

-- One row per failed login, keyed by what is throttled (`ip:…`, `email:…`).
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    actor_email TEXT,
    action      TEXT NOT NULL CHECK (action <> ''),
    target      TEXT,
    detail      TEXT NOT NULL CHECK (json_valid(detail))
);
CREATE INDEX audit_log_at ON audit_log (at, id);
