-- The conversation's part in a release (sticky from its start) and the last answer it got
-- (to tell the guard when the customer asks again or picks another article right after it).
CREATE TABLE release_tag (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tag TEXT NOT NULL,
  last_answer TEXT
);
