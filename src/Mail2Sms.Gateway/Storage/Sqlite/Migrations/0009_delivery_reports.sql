-- When an email's delivery report went out (or was found not needed): once, after all its SMS are final.
ALTER TABLE emails ADD COLUMN delivery_reported_at TEXT NULL;

CREATE INDEX emails_delivery_unreported ON emails (id) WHERE delivery_reported_at IS NULL;
