-- The replica's memory of questions answered confidently in its region: in degraded mode a
-- similar question is answered from here with one cheap lookup.
CREATE TABLE answered (
  question TEXT NOT NULL,
  language TEXT NOT NULL,
  article_id TEXT NOT NULL,
  hits INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (language, question)
);

CREATE INDEX answered_popular ON answered (language, hits DESC);
