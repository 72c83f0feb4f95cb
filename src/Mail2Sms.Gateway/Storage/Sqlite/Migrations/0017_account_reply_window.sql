-- An account may keep replies to its SMS matched for longer or shorter than the gateway's Replies:WindowDays.
-- NULL: the gateway's window.
ALTER TABLE accounts ADD COLUMN reply_window_days INTEGER;
