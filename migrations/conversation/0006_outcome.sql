-- What ops keeps per conversation (durable-objects/conversation-ops.ts): the outcome state
-- behind its conversation_end event (src/ops/outcome.ts), the language of its last reply
-- and the colo it was created through, as one JSON value. No customer text.
CREATE TABLE ops_outcome (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL
);
