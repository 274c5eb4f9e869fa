-- Article vectors for the optional semantic signal (src/kb/semantic): one row per article,
-- its texts' vectors as one blob (vectors.ts encodeVectors), stamped with the article's
-- version, the primary's epoch (a restored primary may reuse versions) and its learned
-- questions ("epoch:version/learned count/latest learned version"), and with the vector
-- space (provider and model). Only articles that changed get new vectors; a row
-- whose article is gone is pruned.
CREATE TABLE article_vectors (
  article_id TEXT PRIMARY KEY,
  stamp TEXT NOT NULL,
  space TEXT NOT NULL,
  data BLOB NOT NULL
);
