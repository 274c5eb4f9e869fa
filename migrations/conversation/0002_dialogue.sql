-- What the answer pipeline remembers between turns, and the region the conversation's
-- knowledge base replica lives in.
CREATE TABLE dialogue (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL
);

ALTER TABLE conversation ADD COLUMN region TEXT NOT NULL DEFAULT 'weur';
