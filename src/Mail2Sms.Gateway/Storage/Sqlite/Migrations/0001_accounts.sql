-- Accounts, their users and allowed addresses, and the credit ledger.
-- Plain SQL that a PostgreSQL dialect can share; identity columns are the one difference (INTEGER PRIMARY KEY here).
CREATE TABLE accounts (
    id                  TEXT    NOT NULL PRIMARY KEY,
    country             TEXT    NULL,
    sender              TEXT    NULL,
    relaxed_numbers     INTEGER NOT NULL DEFAULT 0,
    max_parts           INTEGER NOT NULL DEFAULT 12,
    credits             BIGINT  NOT NULL DEFAULT 0 CHECK (credits >= 0),
    low_credit_warning  BIGINT  NOT NULL DEFAULT 0,
    created_at          TEXT    NOT NULL
);

CREATE TABLE users (
    id                  INTEGER NOT NULL PRIMARY KEY,
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    address             TEXT    NOT NULL,
    password_hash       TEXT    NULL,
    receipt_emails      INTEGER NOT NULL DEFAULT 0,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT    NOT NULL,
    UNIQUE (account_id, address)
);

CREATE INDEX users_by_address ON users (address);

CREATE TABLE ip_rules (
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    network             TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    PRIMARY KEY (account_id, network)
);

CREATE TABLE credit_ledger (
    id                  INTEGER NOT NULL PRIMARY KEY,
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    delta               BIGINT  NOT NULL,
    balance             BIGINT  NOT NULL,
    reason              TEXT    NOT NULL,
    at                  TEXT    NOT NULL
);

CREATE INDEX credit_ledger_by_account ON credit_ledger (account_id, id);
