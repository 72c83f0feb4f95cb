-- The user an email was authenticated as: a user who asked for receipt emails gets them for its SMS.
-- (A user removed later leaves its emails without one.)
ALTER TABLE emails ADD COLUMN user_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL;
