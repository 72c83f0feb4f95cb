-- Password failures per lockout key (account or operator with the client's address, or a stranger's address), kept in
-- the store so that every process counts against the same number. One row per key, counted with one upsert; a row
-- whose window and lock are both over is swept.
CREATE TABLE password_failures (
    key                 TEXT    NOT NULL PRIMARY KEY,
    failures            INTEGER NOT NULL,
    window_ends_at      TEXT    NOT NULL,   -- the first failure of the window plus the window
    locked_until        TEXT    NULL
);

CREATE INDEX password_failures_by_window_end ON password_failures (window_ends_at);
