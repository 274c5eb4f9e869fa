-- How many articles contain each token, rebuilt with every applied sync. Searches look up
-- their tokens here to leave out the very common ones, which keeps search time bounded on
-- large KBs (fts5vocab answers the same question, but far too slowly per query).
CREATE VIRTUAL TABLE article_vocab USING fts5vocab(article_fts, 'row');

CREATE TABLE term_docs (
  term TEXT PRIMARY KEY,
  docs INTEGER NOT NULL
) WITHOUT ROWID;
