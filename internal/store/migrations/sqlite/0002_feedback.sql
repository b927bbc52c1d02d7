-- 0002: employees' reports on verdicts ("false alarm"), from the add-in's task pane.
-- No foreign key to audit_events: the event may still be in the audit spool when the report
-- arrives. Comments never hold a CPR number (masked before storage, refused otherwise).

CREATE TABLE feedback (
    id          TEXT    PRIMARY KEY,
    event_id    TEXT    NOT NULL,
    time_ms     INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    tenant_id   TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    upn         TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed')),
    resolved_by TEXT    NOT NULL DEFAULT '',
    resolved_ms INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX feedback_event       ON feedback (event_id, time_ms);
CREATE INDEX feedback_status_time ON feedback (status, time_ms);
