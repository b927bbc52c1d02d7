-- 0007: the audit's identifiers in compact form (see the SQLite migration of the same name): a
-- hash is its 32 bytes beside the event's number, in one tree, instead of two text indexes.

CREATE TABLE audit_event_keys (
    n  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES audit_events (id) ON DELETE CASCADE
);

CREATE TABLE audit_identifier_keys (
    hash BYTEA  NOT NULL, -- the keyed hash (audit.Hasher), 32 bytes
    n    BIGINT NOT NULL, -- audit_event_keys.n
    PRIMARY KEY (hash, n)
);

INSERT INTO audit_event_keys (id) SELECT id FROM audit_events ORDER BY time_ms, id;

INSERT INTO audit_identifier_keys (hash, n)
    SELECT decode(i.hash, 'hex'), k.n FROM audit_identifiers i JOIN audit_event_keys k ON k.id = i.event_id
    WHERE i.hash ~ '^[0-9a-f]{64}$';

DROP TABLE audit_identifiers;
