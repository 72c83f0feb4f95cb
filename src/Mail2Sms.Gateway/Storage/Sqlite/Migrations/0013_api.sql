-- The REST API: keys per account (only a SHA-256 hash of each key is kept: the key is shown once),
-- and the first response to each Idempotency-Key, so a retried request sends nothing again (24 h).
CREATE TABLE api_keys (
    id                  INTEGER NOT NULL PRIMARY KEY,
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    name                TEXT    NULL,
    key_hash            TEXT    NOT NULL UNIQUE,
    created_at          TEXT    NOT NULL,
    revoked_at          TEXT    NULL
);

CREATE INDEX api_keys_by_account ON api_keys (account_id, id);

-- status and body are null while the first request with the key is under way; request_hash (SHA-256
-- of its body) tells a retry from another request that reuses the key.
CREATE TABLE api_idempotency (
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    key                 TEXT    NOT NULL,
    request_hash        TEXT    NOT NULL,
    status              INTEGER NULL,
    body                TEXT    NULL,
    created_at          TEXT    NOT NULL,
    PRIMARY KEY (account_id, key)
);
