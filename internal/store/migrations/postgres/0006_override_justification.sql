-- 0006: an employee's justification for sending despite a warning (policy override_reason),
-- masked (no CPR number, no name) and at most 300 characters; '' for every other event.

ALTER TABLE audit_events ADD COLUMN justification TEXT NOT NULL DEFAULT '';
