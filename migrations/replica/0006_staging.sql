-- A sync in progress, across alarms: the version staged so far, the languages its changes
-- touch and when it began. Null when no sync is under way.
ALTER TABLE sync_state ADD COLUMN staging_cursor INTEGER;
ALTER TABLE sync_state ADD COLUMN staging_languages TEXT;
ALTER TABLE sync_state ADD COLUMN staging_started_at INTEGER;
