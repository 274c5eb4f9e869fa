-- Development only: the mail sent through the send_email binding, newest last, as JSON.
CREATE TABLE sent (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  item TEXT NOT NULL
);
