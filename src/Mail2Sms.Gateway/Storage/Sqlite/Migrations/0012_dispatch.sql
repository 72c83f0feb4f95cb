-- Fair dispatch and source addresses: the queue read account by account (so accounts share the
-- SMSC fairly), a per-account cap on SMS per minute (0: none), the source address each SMS went
-- from (a reply is matched by the number it was sent to), and which number of the source pool each
-- account and mobile pair sticks to.
CREATE INDEX sms_queue_by_account ON sms (status, account_id, priority, due_at);

ALTER TABLE accounts ADD COLUMN sms_per_minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sms ADD COLUMN source_address TEXT NULL;

CREATE TABLE source_assignments (
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    number              TEXT    NOT NULL,
    source              TEXT    NOT NULL,
    last_used_at        TEXT    NOT NULL,
    PRIMARY KEY (account_id, number)
);

CREATE INDEX source_assignments_by_number ON source_assignments (number, source);

-- The report sweep looks only at emails not yet reported, however many have been.
CREATE INDEX emails_unreported ON emails (id) WHERE delivery_reported_at IS NULL;

-- A part's receipt state as the SMSC wrote it (DELIVRD, UNDELIV ...), for the reason an SMS failed.
ALTER TABLE sms_parts ADD COLUMN receipt_state TEXT NULL;
