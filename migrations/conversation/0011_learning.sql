-- Learning signals (src/kb/learning) on their way to the KB primary: which customer question
-- they are about (by seq: its text stays sealed in the transcript), the article, the source
-- and the client's digest. Sent without holding up a turn; kept and retried on the alarm
-- while the primary cannot be reached.
CREATE TABLE learning_outbox (
  id INTEGER PRIMARY KEY,
  question_seq INTEGER NOT NULL,
  article_id TEXT NOT NULL,
  locale TEXT NOT NULL,
  source TEXT NOT NULL,
  client TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL
);
