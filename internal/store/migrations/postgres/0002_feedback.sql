-- 0002: employees' reports on verdicts ("false alarm"), from the add-in's task pane
-- (PostgreSQL; mirrors migrations/sqlite/0002_feedback.sql).
-- No foreign key to audit_events: the event may still be in the audit spool when the report
-- arrives. Comments never hold a CPR number (masked before storage, refused otherwise).

CREATE TABLE feedback (
    id          TEXT COLLATE "C" PRIMARY KEY,
    event_id    TEXT COLLATE "C" NOT NULL,
    time_ms     BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    tenant_id   TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    upn         TEXT    NOT NULL,
    status      TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed')),
    resolved_by TEXT    NOT NULL DEFAULT '',
    resolved_ms BIGINT  NOT NULL DEFAULT 0
);

CREATE INDEX feedback_event       ON feedback (event_id, time_ms);
CREATE INDEX feedback_status_time ON feedback (status, time_ms);
