-- The conversation's data key, wrapped by the master key (DATA_ENCRYPTION_KEY, `kid`
-- names which). Message text, customer fields, metadata and dialogue state are sealed with
-- it; deleting this row first makes everything else unreadable (crypto-shredding). The
-- subject is the verified customer's key in the subject index, for export and erasure.
CREATE TABLE data_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kid TEXT NOT NULL,
  wrapped TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

ALTER TABLE conversation ADD COLUMN subject TEXT;
