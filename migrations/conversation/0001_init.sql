-- ConversationDO storage: one conversation record and its transcript.
CREATE TABLE conversation (
  id TEXT PRIMARY KEY,
  locale TEXT NOT NULL,
  customer TEXT,
  metadata TEXT,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  created_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  closed_at INTEGER,
  close_reason TEXT
);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  role TEXT NOT NULL CHECK (role IN ('customer', 'assistant', 'agent', 'system')),
  text TEXT NOT NULL,
  client_message_id TEXT UNIQUE,
  reply_to INTEGER REFERENCES messages (seq),
  meta TEXT,
  created_at INTEGER NOT NULL
);

CREATE UNIQUE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;
