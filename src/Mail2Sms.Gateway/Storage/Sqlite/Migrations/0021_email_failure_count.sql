-- How many recipients, entries or rows of an email failed: email_failures keeps only the first
-- Intake:MaxReportedFailures of them, so the exact count lives here.
ALTER TABLE emails ADD COLUMN failure_count INTEGER NOT NULL DEFAULT 0;
UPDATE emails SET failure_count = (SELECT COUNT(*) FROM email_failures f WHERE f.email_id = emails.id);
