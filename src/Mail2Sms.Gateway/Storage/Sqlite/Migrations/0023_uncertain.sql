-- An SMS whose submit's answer never came is uncertain (status 'uncertain', due_at the end of its grace): the text of
-- the part under way is kept so that a receipt quoting it (text:, its first 20 characters) and carrying an ID never
-- recorded can be matched to it. Both indexes hold only the few uncertain SMS.
ALTER TABLE sms ADD COLUMN uncertain_text TEXT NULL;
CREATE INDEX sms_uncertain_by_number ON sms (number) WHERE status = 'uncertain';
CREATE INDEX sms_uncertain_by_due_at ON sms (due_at) WHERE status = 'uncertain';
