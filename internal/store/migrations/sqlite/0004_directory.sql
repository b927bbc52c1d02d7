-- 0004: the citizen directory (which citizens an e-mail address belongs to, imported from the
-- case system) and a small table of settings. Directory rows hold keyed hashes (HMAC with the
-- installation's secret) and masked forms only: never an address, a CPR number or a name in
-- plain text. expires_ms 0 means kept until deleted.

CREATE TABLE directory_entries (
    id           INTEGER PRIMARY KEY,
    email_hash   TEXT    NOT NULL,
    cpr_hash     TEXT    NOT NULL,
    name_hash    TEXT    NOT NULL DEFAULT '',
    email_masked TEXT    NOT NULL,
    name_masked  TEXT    NOT NULL DEFAULT '',
    cpr_masked   TEXT    NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    imported_ms  INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (email_hash, cpr_hash)
) STRICT;

CREATE INDEX directory_entries_expires ON directory_entries (expires_ms);
CREATE INDEX directory_entries_imported ON directory_entries (imported_ms, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
