-- The jurisdiction a conversation was created in (null: none), for audits and routing checks.
ALTER TABLE conversation ADD COLUMN jurisdiction TEXT;
