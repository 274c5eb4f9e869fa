-- ReleaseDO: the open release (as the primary recorded it), each conversation's outcomes in
-- it (by hashed id, never text), and the webhook outbox of its changes of state.
CREATE TABLE open_release (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  release TEXT NOT NULL
);
CREATE TABLE outcomes (
  release_id TEXT NOT NULL,
  conversation TEXT NOT NULL,
  arm TEXT NOT NULL CHECK (arm IN ('canary', 'stable')),
  turns INTEGER NOT NULL DEFAULT 0,
  answered INTEGER NOT NULL DEFAULT 0,
  out_of_scope INTEGER NOT NULL DEFAULT 0,
  clarifications INTEGER NOT NULL DEFAULT 0,
  picks INTEGER NOT NULL DEFAULT 0,
  wrong INTEGER NOT NULL DEFAULT 0,
  handoff INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (release_id, conversation)
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  entries TEXT NOT NULL
);
-- The stable answer settings as last read from the primary (kept through a primary outage).
CREATE TABLE settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value TEXT NOT NULL
);
