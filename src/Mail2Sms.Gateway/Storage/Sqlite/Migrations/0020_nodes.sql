-- Nodes: every serve process registers itself and writes a heartbeat; a claim names the node that holds it, so
-- the claims of a node found dead (no heartbeat, or its process gone) are taken over at once rather than when
-- their lease runs out. The lease stays, for a claim no node is named on.
CREATE TABLE nodes (
    id                  INTEGER PRIMARY KEY,
    host_name           TEXT    NOT NULL,
    process_id          INTEGER NOT NULL,
    process_space       TEXT    NULL,       -- the kernel boot and PID namespace process_id counts in; null where the system does not say
    process_start       TEXT    NULL,       -- the process's start in that space: another process given the same ID starts later
    started_at          TEXT    NOT NULL,
    heartbeat_at        TEXT    NOT NULL,
    stopped_at          TEXT    NULL,
    ended               TEXT    NULL        -- stopped (a clean stop) or dead (found dead, its claims taken over)
);
CREATE INDEX nodes_running ON nodes (id) WHERE stopped_at IS NULL;

ALTER TABLE sms ADD COLUMN claimed_by INTEGER NULL REFERENCES nodes (id);
CREATE INDEX sms_claimed_by ON sms (claimed_by) WHERE claimed_by IS NOT NULL;
