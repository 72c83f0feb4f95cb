-- The parts of replies that come in parts, kept until the last one comes (on any node's bind) or the rest stop coming:
-- one row per reply being joined (its key, and when its first part came), one per part kept.
CREATE TABLE reply_assemblies (
    id                  INTEGER PRIMARY KEY,
    source              TEXT    NOT NULL,
    destination         TEXT    NOT NULL,
    reference           INTEGER NOT NULL,
    total               INTEGER NOT NULL,
    started_at          TEXT    NOT NULL,
    UNIQUE (source, destination, reference, total)
);
CREATE INDEX reply_assemblies_by_started_at ON reply_assemblies (started_at);

CREATE TABLE reply_assembly_parts (
    assembly_id         INTEGER NOT NULL REFERENCES reply_assemblies (id) ON DELETE CASCADE,
    number              INTEGER NOT NULL,
    text                TEXT    NOT NULL,
    PRIMARY KEY (assembly_id, number)
);
