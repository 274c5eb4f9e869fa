-- The conversation's own limit on each kind of customer frame other than a message
-- (handoff, rating, typing, offline_message): the GCRA theoretical arrival time (ms) per
-- kind, kept in storage so that hibernation or eviction does not refill a flooded limit.
CREATE TABLE frame_limits (
  kind TEXT PRIMARY KEY,
  tat REAL NOT NULL
);
