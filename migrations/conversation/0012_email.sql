-- The email channel. A conversation says where it came from (web or email) and keeps the
-- first mail's subject, sealed. Each customer mail's headers that matter later (its
-- Message-ID, References, the attachments it named) are kept sealed beside its message.
-- The outbox holds one row per reply that goes out by mail, written in the same
-- transaction as the reply itself; a row is marked sent once the send_email binding has
-- accepted the mail, with the Message-ID the email service gave it.
ALTER TABLE conversation ADD COLUMN channel TEXT NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email'));
ALTER TABLE conversation ADD COLUMN mail_subject TEXT;

CREATE TABLE mail_in (
  seq INTEGER PRIMARY KEY,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE mail_out (
  seq INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  sent_at INTEGER,
  message_id TEXT,
  error TEXT
);

CREATE INDEX mail_out_unsent ON mail_out (next_at) WHERE sent_at IS NULL;
