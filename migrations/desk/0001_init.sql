-- AgentDeskDO storage: the team's desk state (src/desk/model.ts) as one JSON document,
-- and a revision counted up with every change, which orders what conversations are told.
-- Queue entries, presence and tickets only: never transcripts.
CREATE TABLE desk (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL,
  revision INTEGER NOT NULL
);
