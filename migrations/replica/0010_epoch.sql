-- The primary's epoch the copy came from (kb_meta `epoch`: a restore or rebuild of the
-- primary starts a new one), and for a sync under way the epoch it follows and whether it
-- replaces the whole copy (a resync after a restore).
ALTER TABLE sync_state ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN staging_epoch INTEGER;
ALTER TABLE sync_state ADD COLUMN staging_full INTEGER NOT NULL DEFAULT 0;
