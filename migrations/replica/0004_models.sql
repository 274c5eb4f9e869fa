-- Classifiers trained from the copy's example questions, one per language, stored in
-- chunks (a row holds at most 2 MB) so that a restarted replica need not train again.
CREATE TABLE models (
  language TEXT PRIMARY KEY,
  kb_version INTEGER NOT NULL,
  trained_at INTEGER NOT NULL,
  classes INTEGER NOT NULL,
  chunks INTEGER NOT NULL
);

CREATE TABLE model_chunks (
  language TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (language, seq)
);

-- Languages whose articles changed since their classifier was trained. Written in the same
-- transaction as the sync, so a replica evicted mid-training still knows to train again.
CREATE TABLE model_pending (
  language TEXT PRIMARY KEY,
  -- The KB version of the latest change; training on an older copy leaves the mark.
  version INTEGER NOT NULL
);
