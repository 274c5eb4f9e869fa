-- A verified customer's conversations, by id (the table the object made for itself before it
-- had migrations: IF NOT EXISTS keeps those objects as they are).
CREATE TABLE IF NOT EXISTS conversations (
  conversation_id TEXT PRIMARY KEY,
  jurisdiction TEXT,
  region TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
