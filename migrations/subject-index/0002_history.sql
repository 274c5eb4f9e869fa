-- What agents see of a customer's earlier conversations, and the greeting uses: the channel,
-- how it stands or ended, whether a person was asked for, the agent's resolution, the
-- rating, the articles the bot gave (JSON [{ articleId, title }]) and when it last changed.
-- No customer text.
ALTER TABLE conversations ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE conversations ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE conversations ADD COLUMN handed_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN resolution TEXT;
ALTER TABLE conversations ADD COLUMN rating INTEGER;
ALTER TABLE conversations ADD COLUMN articles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN updated_at INTEGER;
