-- Set once the conversation has been erased (its key destroyed, its data deleted): every
-- later write checks it, so nothing of the conversation is written again, even by work that
-- was already under way. It outlives the erasure's deleteAll (written again right after).
CREATE TABLE erased (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
