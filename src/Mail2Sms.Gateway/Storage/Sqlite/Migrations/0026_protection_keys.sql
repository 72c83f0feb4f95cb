-- The dashboard's Data Protection keys (sign-in cookies, anti-forgery tokens), shared by whatever reads this file.
CREATE TABLE protection_keys (
    id                  INTEGER NOT NULL PRIMARY KEY,
    friendly_name       TEXT    NOT NULL UNIQUE,
    xml                 TEXT    NOT NULL,
    created_at          TEXT    NOT NULL
);
