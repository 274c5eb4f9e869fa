-- The human side of a conversation, in tables of its own beside the transcript: where a
-- request for a person stands, the customer messages meant for a person (the bot never
-- answers them), who wrote each agent message (and its idempotency key), agents' private
-- notes (never shown to the customer: they take no message seq), the rating and feedback.
CREATE TABLE handoff (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL
);

CREATE TABLE held_messages (
  seq INTEGER PRIMARY KEY
);

CREATE TABLE agent_messages (
  seq INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  client_message_id TEXT NOT NULL,
  UNIQUE (agent_id, client_message_id)
);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  after_seq INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  text TEXT NOT NULL,
  client_message_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (agent_id, client_message_id)
);

CREATE TABLE rating (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment TEXT,
  rated_at INTEGER NOT NULL
);

CREATE TABLE feedback (
  seq INTEGER PRIMARY KEY,
  helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
  at INTEGER NOT NULL
);
