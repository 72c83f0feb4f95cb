-- Replies from mobiles: each kept, with the SMS it answers (the latest sent to that mobile within
-- the reply window) or flagged for the operator when it answers none.
CREATE TABLE replies (
    id                  INTEGER NOT NULL PRIMARY KEY,
    mobile              TEXT    NOT NULL,
    to_address          TEXT    NOT NULL,
    text                TEXT    NOT NULL,
    sms_id              INTEGER NULL REFERENCES sms (id),
    status              TEXT    NOT NULL,
    received_at         TEXT    NOT NULL
);

CREATE INDEX replies_by_status ON replies (status, id);
CREATE INDEX sms_by_number_submitted ON sms (number, submitted_at);
