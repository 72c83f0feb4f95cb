-- Which way an accepted email came in: 'email' or 'api'. An API request used to be told apart by the fake
-- MAIL FROM 'api' (with no originator); it now has an empty MAIL FROM and its source.
ALTER TABLE emails ADD COLUMN source TEXT NOT NULL DEFAULT 'email';
UPDATE emails SET source = 'api', mail_from = '' WHERE mail_from = 'api' AND originator IS NULL;
