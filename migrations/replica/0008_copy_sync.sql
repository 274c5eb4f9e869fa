-- A large sync builds a new copy beside the live one (articles_next, article_fts_next, made
-- when it starts and renamed over the live tables when it ends): how it lands, how many
-- changes it has pulled, and how far copying the live articles got.
ALTER TABLE sync_state ADD COLUMN staging_mode TEXT;
ALTER TABLE sync_state ADD COLUMN staging_pulled INTEGER;
ALTER TABLE sync_state ADD COLUMN staging_copied INTEGER;
