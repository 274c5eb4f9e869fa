-- Which conversation a thread key belongs to: `m:` + the keyed hash of a Message-ID we sent
-- or received (or of a mail's content, for one without), `r:` + a reply token. No ids or
-- addresses in the clear, no customer text.
CREATE TABLE threads (
  key TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE INDEX threads_created ON threads (created_at);
