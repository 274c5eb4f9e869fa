-- Rerank scores computed at training (src/kb/semantic/rerank-folds.ts), so that a retrain
-- asks the reranker only about new pairs: one row per (question, article), the question by
-- its hash, stamped with the reranker's space (provider and model) and the hash of the
-- article's passage as reranked (its title and the start of its answer: the article's
-- version as the reranker read it). A row for another space or passage is asked again and
-- replaced; a row whose article is gone is pruned.
CREATE TABLE rerank_scores (
  query_hash TEXT NOT NULL,
  article_id TEXT NOT NULL,
  space TEXT NOT NULL,
  passage_hash TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (query_hash, article_id)
) WITHOUT ROWID;
