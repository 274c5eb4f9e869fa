-- A team's webhook outbox (WebhookDO): one row per event and subscription until the receiver
-- accepts it or the retries run out. The body is what is sent (text only for subscriptions
-- that opted in); an event raised twice is queued once per subscription.
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (event_id, subscription_id)
);
CREATE INDEX deliveries_due ON deliveries (next_at);
CREATE INDEX deliveries_conversation ON deliveries (conversation_id);
-- The team's name (an alarm comes without one) and the last list of its subscriptions read
-- from the KB primary (secrets still sealed), used while the primary cannot be reached.
CREATE TABLE outbox_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
