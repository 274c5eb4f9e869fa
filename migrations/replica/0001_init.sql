-- KnowledgeReplicaDO storage: the published KB, its full-text index, and sync state.
CREATE TABLE articles (
  doc INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL,
  locale TEXT NOT NULL,
  title TEXT NOT NULL,
  answer TEXT NOT NULL,
  tags TEXT NOT NULL,
  questions TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE INDEX articles_slug_locale ON articles (slug, locale);

-- Pre-tokenised text (see src/kb/text/tokens.ts): tokens are separated by spaces, which is
-- all unicode61 needs to keep Chinese words and bigrams intact. rowid = articles.doc.
CREATE VIRTUAL TABLE article_fts USING fts5(title, questions, answer, tokenize = 'unicode61');

-- Changes pulled from the primary but not yet applied: a sync stages every page, then
-- applies them all in one transaction, so a search never sees half a sync.
CREATE TABLE staged_changes (
  version INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  article TEXT,
  tokens TEXT
);

CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  primary_version INTEGER NOT NULL,
  last_sync_at INTEGER,
  last_attempt_at INTEGER,
  failures INTEGER NOT NULL,
  last_error TEXT
);

INSERT INTO sync_state (id, version, primary_version, failures) VALUES (1, 0, 0, 0);
