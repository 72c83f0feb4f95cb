-- Accepted emails and their SMS: the queue is rows with a status and a due time.
CREATE TABLE emails (
    id                  INTEGER NOT NULL PRIMARY KEY,
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    message_id          TEXT    NULL,
    originator          TEXT    NULL,
    mail_from           TEXT    NOT NULL,
    client_ip           TEXT    NULL,
    format              INTEGER NOT NULL,
    subject             TEXT    NOT NULL,
    size_bytes          BIGINT  NOT NULL,
    csv_file_name       TEXT    NULL,
    credits             BIGINT  NOT NULL,
    received_at         TEXT    NOT NULL
);

-- A CSV file name is used once per account (a rejected email never gets this far, so it never uses one up).
CREATE UNIQUE INDEX emails_csv_file_name ON emails (account_id, csv_file_name) WHERE csv_file_name IS NOT NULL;

-- Which recipients an email (by Message-ID) has already been accepted for: a resend is acknowledged, not sent again.
CREATE TABLE email_recipients (
    account_id          TEXT    NOT NULL,
    message_id          TEXT    NOT NULL,
    recipient           TEXT    NOT NULL,
    email_id            INTEGER NOT NULL REFERENCES emails (id),
    received_at         TEXT    NOT NULL,
    PRIMARY KEY (account_id, message_id, recipient)
);

-- Recipients, entries and rows that failed at acceptance, for the report email.
CREATE TABLE email_failures (
    email_id            INTEGER NOT NULL REFERENCES emails (id),
    position            INTEGER NOT NULL,
    location            TEXT    NOT NULL,
    code                TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    PRIMARY KEY (email_id, position)
);

CREATE TABLE sms (
    id                  INTEGER NOT NULL PRIMARY KEY,
    email_id            INTEGER NOT NULL REFERENCES emails (id),
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    number              TEXT    NOT NULL,
    name                TEXT    NULL,
    text                TEXT    NOT NULL,
    encoding            TEXT    NOT NULL,
    parts               INTEGER NOT NULL,
    priority            INTEGER NOT NULL,
    status              TEXT    NOT NULL,
    due_at              TEXT    NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    smsc_message_ids    TEXT    NULL,
    created_at          TEXT    NOT NULL,
    submitted_at        TEXT    NULL,
    final_at            TEXT    NULL
);

CREATE INDEX sms_queue ON sms (status, priority, due_at);
CREATE INDEX sms_by_email ON sms (email_id);
CREATE INDEX sms_by_number ON sms (number);
