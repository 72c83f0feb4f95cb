-- The people who sign in to the dashboard: a name and a PBKDF2 hash, as users' passwords are kept.
CREATE TABLE operators (
    id                  INTEGER NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    password_hash       TEXT    NOT NULL,
    created_at          TEXT    NOT NULL
);
