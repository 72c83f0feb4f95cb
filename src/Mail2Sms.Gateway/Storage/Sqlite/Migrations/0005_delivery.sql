-- Delivery: an SMS is claimed for a while by the dispatcher that submits it (a crashed process's
-- claims run out and come back), each part keeps the ID the SMSC gave it, and a receipt that
-- arrives before its submit is committed waits here to be matched.
ALTER TABLE sms ADD COLUMN claimed_until TEXT NULL;
ALTER TABLE sms ADD COLUMN last_error TEXT NULL;

CREATE TABLE sms_parts (
    sms_id              INTEGER NOT NULL REFERENCES sms (id),
    part                INTEGER NOT NULL,
    smsc_message_id     TEXT    NOT NULL,
    receipt_key         TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    receipt_at          TEXT    NULL,
    PRIMARY KEY (sms_id, part)
);

CREATE INDEX sms_parts_by_receipt ON sms_parts (receipt_key);

CREATE TABLE early_receipts (
    receipt_key         TEXT    NOT NULL PRIMARY KEY,
    state               TEXT    NOT NULL,
    received_at         TEXT    NOT NULL
);
