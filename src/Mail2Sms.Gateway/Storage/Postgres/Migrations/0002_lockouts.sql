-- Password failures per lockout key (account or operator with the client's address, or a stranger's address), shared
-- by every node so that a lock made on one holds on all. One row per key, counted with one upsert; a row whose window
-- and lock are both over is swept.
CREATE TABLE password_failures (
    key                 text        NOT NULL PRIMARY KEY,
    failures            integer     NOT NULL,
    window_ends_at      timestamptz NOT NULL,   -- the first failure of the window plus the window
    locked_until        timestamptz NULL
);
CREATE INDEX password_failures_by_window_end ON password_failures (window_ends_at);
