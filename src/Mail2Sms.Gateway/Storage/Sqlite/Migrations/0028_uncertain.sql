-- An SMS whose submit's answer never came is uncertain (status 'uncertain', due_at the end of its grace): the text of
-- the part under way is kept so that a receipt quoting it (text:, its first 20 characters) and carrying an ID never
-- recorded can be matched to it. The indexes of uncertain SMS hold only those few.
ALTER TABLE sms ADD COLUMN uncertain_text TEXT NULL;
CREATE INDEX sms_uncertain_by_number ON sms (number) WHERE status = 'uncertain';
CREATE INDEX sms_uncertain_by_due_at ON sms (due_at) WHERE status = 'uncertain';

-- A receipt that comes before its SMS is uncertain (the submit's timeout has not fired yet) keeps what it quotes, so
-- that the SMS, once uncertain, finds it.
ALTER TABLE early_receipts ADD COLUMN message_id TEXT NULL;
ALTER TABLE early_receipts ADD COLUMN mobile TEXT NULL;
ALTER TABLE early_receipts ADD COLUMN source TEXT NULL;
ALTER TABLE early_receipts ADD COLUMN excerpt TEXT NULL;
CREATE INDEX early_receipts_by_mobile ON early_receipts (mobile) WHERE mobile IS NOT NULL;
