-- Who may send (users, their networks, account rules) is read on every email; the gateway keeps a copy
-- in memory and reloads it when this number moves. Triggers move it on every change that matters,
-- from any process (the operator's command line included); a credit change does not.
-- (SQLite trigger syntax: a PostgreSQL dialect writes these as one trigger function.)
CREATE TABLE directory_version (
    id                  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version             BIGINT  NOT NULL
);

INSERT INTO directory_version (id, version) VALUES (1, 0);

CREATE TRIGGER users_inserted AFTER INSERT ON users BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER users_updated AFTER UPDATE ON users BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER users_deleted AFTER DELETE ON users BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER ip_rules_inserted AFTER INSERT ON ip_rules BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER ip_rules_updated AFTER UPDATE ON ip_rules BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER ip_rules_deleted AFTER DELETE ON ip_rules BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER accounts_inserted AFTER INSERT ON accounts BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER accounts_deleted AFTER DELETE ON accounts BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER accounts_updated AFTER UPDATE OF id, country, sender, relaxed_numbers, max_parts ON accounts
BEGIN UPDATE directory_version SET version = version + 1; END;
