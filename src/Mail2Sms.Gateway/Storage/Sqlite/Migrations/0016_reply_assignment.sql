-- A reply the operator assigned by hand to the SMS it answers (it matched none, or was ambiguous):
-- who assigned it and when, shown beside what became of it (emailed or kept).
ALTER TABLE replies ADD COLUMN assigned_by TEXT NULL;
ALTER TABLE replies ADD COLUMN assigned_at TEXT NULL;
