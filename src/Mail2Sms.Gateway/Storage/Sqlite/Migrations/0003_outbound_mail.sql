-- Mail the gateway sends (reports, forwarded postmaster mail, later replies): queued here in the same
-- transaction as what caused it, then written out (pickup folder or smart host) and marked sent.
CREATE TABLE outbound_mail (
    id                  INTEGER NOT NULL PRIMARY KEY,
    kind                TEXT    NOT NULL,
    email_id            INTEGER NULL REFERENCES emails (id),
    mail_from           TEXT    NOT NULL,
    rcpt_to             TEXT    NOT NULL,
    message             BLOB    NOT NULL,
    status              TEXT    NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT    NOT NULL,
    sent_at             TEXT    NULL
);

CREATE INDEX outbound_mail_queue ON outbound_mail (status, id);
