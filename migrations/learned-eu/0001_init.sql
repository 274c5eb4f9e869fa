-- LearnedEuDO: candidate learned questions from EU conversations, kept in the EU until an
-- editor approves their words (then they move to the KB primary) or rejects them.
CREATE TABLE questions (
  id TEXT PRIMARY KEY,
  article_id TEXT NOT NULL,
  locale TEXT NOT NULL,
  key TEXT NOT NULL,
  text TEXT NOT NULL,
  origin_conversation TEXT NOT NULL,
  origin_subject TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  UNIQUE (article_id, key)
);

CREATE TABLE votes (
  question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
  conversation TEXT NOT NULL,
  client TEXT NOT NULL,
  subject TEXT,
  source TEXT NOT NULL,
  day TEXT NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE (question_id, client),
  UNIQUE (question_id, conversation)
);

CREATE INDEX votes_client_day ON votes (client, day);
