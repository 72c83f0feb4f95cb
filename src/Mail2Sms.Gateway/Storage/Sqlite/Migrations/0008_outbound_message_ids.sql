-- The Message-ID of each email the gateway sends: an email that answers one of its reply emails
-- (In-Reply-To or References naming it) sends only its new text as the SMS back.
ALTER TABLE outbound_mail ADD COLUMN message_id TEXT NULL;

CREATE INDEX outbound_mail_by_message_id ON outbound_mail (message_id) WHERE message_id IS NOT NULL;
