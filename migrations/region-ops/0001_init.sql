-- RegionOpsDO storage: the rollup's head and its changed buckets (src/ops/rollup.ts: one row
-- per bucket, written when it changed), the KB gaps (one row per gap), and small state kept
-- as JSON by key (open and recent alerts, the webhook outbox, drafts made from gaps).
CREATE TABLE ops_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE rollup_buckets (
  ring TEXT NOT NULL CHECK (ring IN ('m', 'h')),
  start INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (ring, start)
);

CREATE TABLE gaps (
  id TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
