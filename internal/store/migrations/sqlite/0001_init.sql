-- 0001: audit events and policy versions.
-- Times are unix milliseconds (UTC), so ordering and range filters are plain integer compares.
-- Booleans are 0/1. Lists are JSON arrays; reasons and identifier hashes are also kept one per
-- row in their own tables so the filters can use an index.

CREATE TABLE audit_events (
    id                TEXT    PRIMARY KEY,
    time_ms           INTEGER NOT NULL,
    source            TEXT    NOT NULL,
    test              INTEGER NOT NULL CHECK (test IN (0, 1)),
    simulated         INTEGER NOT NULL CHECK (simulated IN (0, 1)),
    tenant_id         TEXT    NOT NULL,
    object_id         TEXT    NOT NULL,
    upn               TEXT    NOT NULL,
    user_key          TEXT    NOT NULL, -- lower-case UPN, for the user filter
    action            TEXT    NOT NULL,
    reasons           TEXT    NOT NULL, -- JSON array, in the verdict's order
    recipient_domains TEXT    NOT NULL, -- JSON array
    documents         TEXT    NOT NULL, -- JSON array of documents with masked findings
    identifier_hashes TEXT    NOT NULL, -- JSON array of keyed hashes
    policy_version    INTEGER NOT NULL,
    fetch_ms          INTEGER NOT NULL,
    scan_ms           INTEGER NOT NULL,
    total_ms          INTEGER NOT NULL,
    error             TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_events_time        ON audit_events (time_ms, id);
CREATE INDEX audit_events_action_time ON audit_events (action, time_ms);
CREATE INDEX audit_events_user_time   ON audit_events (user_key, time_ms);
CREATE INDEX audit_events_object_time ON audit_events (object_id, time_ms);
CREATE INDEX audit_events_source_time ON audit_events (source, time_ms);

CREATE TABLE audit_reasons (
    event_id TEXT NOT NULL REFERENCES audit_events (id) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    PRIMARY KEY (event_id, code)
) STRICT, WITHOUT ROWID;

CREATE INDEX audit_reasons_code ON audit_reasons (code, event_id);

CREATE TABLE audit_identifiers (
    event_id TEXT NOT NULL REFERENCES audit_events (id) ON DELETE CASCADE,
    hash     TEXT NOT NULL,
    PRIMARY KEY (event_id, hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX audit_identifiers_hash ON audit_identifiers (hash, event_id);

CREATE TABLE policies (
    version    INTEGER PRIMARY KEY,
    yaml       BLOB    NOT NULL,
    author     TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
