-- The kid the key registry was last told for this conversation's data key (NULL: not yet,
-- e.g. a conversation created before the registry existed, or while it was unreachable).
-- The conversation tells it again on load and on each alarm until the two agree.
ALTER TABLE data_key ADD COLUMN registered_kid TEXT;
