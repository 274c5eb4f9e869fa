// SubjectIndexDO migrations, in order. Never edit one that has run; add the next instead.
import init from "./0001_init.sql";
import history from "./0002_history.sql";
import type { Migration } from "../../src/storage/migrations.ts";

export const subjectIndexMigrations: Migration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_history", sql: history },
];
