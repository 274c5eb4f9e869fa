-- One shard of the key registry: which master key (kid) wraps each conversation's data key.
-- Conversation ids only, no customer data. Written when a conversation is created and
-- whenever its key is rewrapped; an erased conversation's entry is dropped.
CREATE TABLE data_keys (
  conversation_id TEXT PRIMARY KEY,
  kid TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE INDEX data_keys_kid ON data_keys (kid, conversation_id);
