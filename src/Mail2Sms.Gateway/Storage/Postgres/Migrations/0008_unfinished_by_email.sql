-- The report sweep asks of each unreported email whether any of its SMS is unfinished. Through sms_by_email that meant
-- reading its SMS until an unfinished one (every SMS of a 100,000-row bulk email once most were done, and every dead
-- version of each), once a second; here it is one look in an index that holds only the unfinished SMS.
CREATE INDEX sms_unfinished_by_email ON sms (email_id) WHERE final_at IS NULL;
