-- Every indexed token now carries its article's language (en_refund, zh_退款), so a search
-- in one language reads only that language's postings: no locale join or filter on the hot
-- path. The copy is a cache of the primary, so it is emptied and pulled again in full.
DROP TABLE article_vocab;
DROP TABLE article_fts;
DELETE FROM articles;
DELETE FROM term_docs;
DELETE FROM staged_changes;
UPDATE sync_state SET version = 0, primary_version = 0, last_sync_at = NULL;

CREATE VIRTUAL TABLE article_fts USING fts5(title, questions, answer, tokenize = "unicode61 tokenchars '_'");
CREATE VIRTUAL TABLE article_vocab USING fts5vocab(article_fts, 'row');
