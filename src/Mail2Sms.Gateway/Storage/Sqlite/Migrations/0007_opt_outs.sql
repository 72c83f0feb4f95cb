-- Mobiles that replied STOP (or UNSUBSCRIBE) to an account's SMS: later SMS from that account to them
-- fail with that reason, until they reply START.
CREATE TABLE opt_outs (
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    number              TEXT    NOT NULL,
    at                  TEXT    NOT NULL,
    PRIMARY KEY (account_id, number)
);
