-- Per-account caps of SMS per minute held across nodes: each SMS claimed for an account with a cap is written here, and
-- a claim lets an account no more than its cap less its rows of the last minute (older rows are deleted as claims go;
-- claims of capped accounts take turns on an advisory lock, so two nodes never both see room that is there once).
-- Accounts without a cap write nothing.
CREATE TABLE capped_claims (
    account_id          text        NOT NULL REFERENCES accounts (id),
    claimed_at          timestamptz NOT NULL
);
CREATE INDEX capped_claims_by_account ON capped_claims (account_id, claimed_at);
