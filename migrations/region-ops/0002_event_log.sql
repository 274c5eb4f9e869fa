-- RegionOpsDO: the events of each batch, logged before the batch is answered, so that what
-- was counted survives an eviction or a crash before the next save (replayed on restart).
-- `seq` only grows (AUTOINCREMENT): ops_state "log_saved" names the last row a save
-- included; older saved rows are kept a short while for their event ids (no event counted twice).
CREATE TABLE ops_event_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  region TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  events TEXT NOT NULL
);
