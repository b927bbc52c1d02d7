-- 0007: the audit's identifiers in compact form. An event of a mail-merge list holds thousands
-- of keyed hashes; each landed at a random place of a (hash, event_id) index of text rows of
-- about a hundred bytes, beside a second copy ordered by event, so one such event rewrote
-- thousands of index pages. Now a hash is its 32 bytes beside the event's number, in one tree
-- (the event's JSON list keeps the hashes as they were). An INTEGER PRIMARY KEY keeps its value
-- through VACUUM, which the implicit rowid of audit_events does not.

CREATE TABLE audit_event_keys (
    n  INTEGER PRIMARY KEY,
    id TEXT    NOT NULL UNIQUE REFERENCES audit_events (id) ON DELETE CASCADE
) STRICT;

CREATE TABLE audit_identifier_keys (
    hash BLOB    NOT NULL, -- the keyed hash (audit.Hasher), 32 bytes
    n    INTEGER NOT NULL, -- audit_event_keys.n
    PRIMARY KEY (hash, n)
) STRICT, WITHOUT ROWID;

INSERT INTO audit_event_keys (id) SELECT id FROM audit_events ORDER BY time_ms, id;

INSERT INTO audit_identifier_keys (hash, n)
    SELECT unhex(i.hash), k.n FROM audit_identifiers i JOIN audit_event_keys k ON k.id = i.event_id
    WHERE length(i.hash) = 64 AND unhex(i.hash) IS NOT NULL;

DROP TABLE audit_identifiers;
