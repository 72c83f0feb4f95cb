-- Emails refused after DATA (5xx, or 4xx once for each try), kept 30 days so the operator can see what was refused and why, as
-- the sender was told. Never the body: a [SENDER] password cannot be here.
CREATE TABLE rejected_emails (
    id                  INTEGER PRIMARY KEY,
    received_at         TEXT    NOT NULL,
    account_id          TEXT,               -- null when the sender was not known
    message_id          TEXT,
    originator          TEXT,
    mail_from           TEXT    NOT NULL,
    client_ip           TEXT,
    recipients          TEXT    NOT NULL,   -- the RCPT TO addresses, comma-separated
    subject             TEXT    NOT NULL,
    reason              TEXT    NOT NULL,   -- the first reason's code, as /metrics labels it
    reply               TEXT    NOT NULL    -- the SMTP reply the sender got
);
CREATE INDEX rejected_emails_by_received_at ON rejected_emails (received_at);
