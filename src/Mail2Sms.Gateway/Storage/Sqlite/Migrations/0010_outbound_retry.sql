-- A mail the smart host could not take for now is tried again at due_at, the reason it failed kept in
-- last_error; one it refused for good is 'failed', the server's reply kept in last_error for the operator.
ALTER TABLE outbound_mail ADD COLUMN due_at TEXT NULL;

ALTER TABLE outbound_mail ADD COLUMN last_error TEXT NULL;

UPDATE outbound_mail SET due_at = created_at WHERE status = 'queued';

DROP INDEX outbound_mail_queue;

CREATE INDEX outbound_mail_due ON outbound_mail (status, due_at);
