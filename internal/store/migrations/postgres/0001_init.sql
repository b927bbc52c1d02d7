-- 0001: audit events and policy versions (PostgreSQL; mirrors migrations/sqlite/0001_init.sql).
-- Times are unix milliseconds (UTC) in BIGINT, so ordering and range filters are plain integer
-- compares. Flags are BOOLEAN (the Go code passes and scans bool). Lists are JSON arrays kept as
-- TEXT in the exact encoding encoding/json writes (the stats pre-filter matches on that text);
-- reasons and identifier hashes are also kept one per row in their own tables so the filters can
-- use an index. Key and identifier columns use the "C" collation: byte order, as SQLite's BINARY.

CREATE TABLE audit_events (
    id                TEXT COLLATE "C" PRIMARY KEY,
    time_ms           BIGINT  NOT NULL,
    source            TEXT COLLATE "C" NOT NULL,
    test              BOOLEAN NOT NULL,
    simulated         BOOLEAN NOT NULL,
    tenant_id         TEXT COLLATE "C" NOT NULL,
    object_id         TEXT COLLATE "C" NOT NULL,
    upn               TEXT    NOT NULL,
    user_key          TEXT COLLATE "C" NOT NULL, -- lower-case UPN, for the user filter
    action            TEXT COLLATE "C" NOT NULL,
    reasons           TEXT    NOT NULL, -- JSON array, in the verdict's order
    recipient_domains TEXT    NOT NULL, -- JSON array
    documents         TEXT    NOT NULL, -- JSON array of documents with masked findings
    identifier_hashes TEXT    NOT NULL, -- JSON array of keyed hashes
    policy_version    BIGINT  NOT NULL,
    fetch_ms          BIGINT  NOT NULL,
    scan_ms           BIGINT  NOT NULL,
    total_ms          BIGINT  NOT NULL,
    error             TEXT    NOT NULL
);

CREATE INDEX audit_events_time        ON audit_events (time_ms, id);
CREATE INDEX audit_events_action_time ON audit_events (action, time_ms);
CREATE INDEX audit_events_user_time   ON audit_events (user_key, time_ms);
CREATE INDEX audit_events_object_time ON audit_events (object_id, time_ms);
CREATE INDEX audit_events_source_time ON audit_events (source, time_ms);

CREATE TABLE audit_reasons (
    event_id TEXT COLLATE "C" NOT NULL REFERENCES audit_events (id) ON DELETE CASCADE,
    code     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (event_id, code)
);

CREATE INDEX audit_reasons_code ON audit_reasons (code, event_id);

CREATE TABLE audit_identifiers (
    event_id TEXT COLLATE "C" NOT NULL REFERENCES audit_events (id) ON DELETE CASCADE,
    hash     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (event_id, hash)
);

CREATE INDEX audit_identifiers_hash ON audit_identifiers (hash, event_id);

CREATE TABLE policies (
    version    BIGINT PRIMARY KEY,
    yaml       BYTEA  NOT NULL,
    author     TEXT   NOT NULL,
    comment    TEXT   NOT NULL,
    created_ms BIGINT NOT NULL
);
