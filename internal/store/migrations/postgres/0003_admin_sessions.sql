-- 0003: admin page sign-in (PostgreSQL; mirrors migrations/sqlite/0003_admin_sessions.sql).
-- A session row holds the SHA-256 of the session id (the id itself is only in the browser's
-- cookie), who signed in, their roles and the session's CSRF token. pending_logins are OpenID
-- Connect sign-ins under way (state, nonce, PKCE verifier), each taken exactly once. Expired
-- rows are deleted when new ones are saved.

CREATE TABLE admin_sessions (
    id_hash    TEXT COLLATE "C" PRIMARY KEY,
    subject    TEXT    NOT NULL,
    tenant_id  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    roles      TEXT    NOT NULL, -- JSON array of app roles
    csrf       TEXT    NOT NULL,
    created_ms BIGINT  NOT NULL,
    expires_ms BIGINT  NOT NULL
);

CREATE INDEX admin_sessions_expires ON admin_sessions (expires_ms);

CREATE TABLE pending_logins (
    state      TEXT COLLATE "C" PRIMARY KEY,
    nonce      TEXT    NOT NULL,
    verifier   TEXT    NOT NULL,
    return_to  TEXT    NOT NULL,
    expires_ms BIGINT  NOT NULL
);

CREATE INDEX pending_logins_expires ON pending_logins (expires_ms);
