-- Active learned questions (src/kb/learning), pulled beside the articles by the same version
-- cursor: training data for the classifiers, never searched or shown. Staged like articles,
-- so a sync applies them in the same transaction.
CREATE TABLE learned (
  id TEXT PRIMARY KEY,
  article_id TEXT NOT NULL,
  locale TEXT NOT NULL,
  text TEXT NOT NULL,
  version INTEGER NOT NULL
);

CREATE INDEX learned_article ON learned (article_id);

CREATE TABLE staged_learned (
  id TEXT PRIMARY KEY,
  article_id TEXT NOT NULL,
  locale TEXT NOT NULL,
  -- NULL: no longer active (remove it).
  text TEXT,
  version INTEGER NOT NULL
);
