-- RegionLimiterDO storage: one GCRA state (theoretical arrival time, ms) per key.
CREATE TABLE buckets (
  key TEXT PRIMARY KEY,
  tat REAL NOT NULL
) WITHOUT ROWID;
