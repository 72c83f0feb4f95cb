-- The overview's chart counts SMS per minute by when they were accepted, submitted and made final:
-- a range on each of those times, read through an index rather than the whole table.
CREATE INDEX sms_by_created_at ON sms (created_at);
CREATE INDEX sms_by_submitted_at ON sms (submitted_at);
CREATE INDEX sms_by_final_at ON sms (final_at);
