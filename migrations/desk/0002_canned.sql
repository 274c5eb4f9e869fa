-- A team's own canned responses (src/desk/canned-library.ts): the list as one JSON document
-- once an admin replaced the built-in one (NULL: the built-in list), and its revision,
-- counted up with every change so that an editor working from an old copy is told instead
-- of overwriting.
CREATE TABLE canned (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  items TEXT,
  revision INTEGER NOT NULL
);
