-- /metrics reads the SMS by status on every scrape. Counted by triggers, in the transaction of each
-- change, so the counts are exact for every process sharing the file, rather than read by a GROUP BY
-- over every SMS ever sent (half a second a scrape at a million).
CREATE TABLE sms_status_counts (
    status              TEXT    NOT NULL PRIMARY KEY,
    count               INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO sms_status_counts (status, count) SELECT status, count(*) FROM sms GROUP BY status;

CREATE TRIGGER sms_status_counted_inserted AFTER INSERT ON sms BEGIN
    INSERT INTO sms_status_counts (status, count) VALUES (new.status, 1) ON CONFLICT (status) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER sms_status_counted_updated AFTER UPDATE OF status ON sms WHEN old.status <> new.status BEGIN
    UPDATE sms_status_counts SET count = count - 1 WHERE status = old.status;
    INSERT INTO sms_status_counts (status, count) VALUES (new.status, 1) ON CONFLICT (status) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER sms_status_counted_deleted AFTER DELETE ON sms BEGIN
    UPDATE sms_status_counts SET count = count - 1 WHERE status = old.status;
END;

-- The queue's oldest SMS and those due, read from the queued SMS alone and from the index alone
-- (status is in it only so that SQLite need not read the row to check it).
CREATE INDEX sms_queued_by_created_at ON sms (created_at, status) WHERE status = 'queued';
CREATE INDEX sms_queued_by_due_at ON sms (due_at, status) WHERE status = 'queued';
