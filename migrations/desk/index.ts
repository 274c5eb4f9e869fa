// AgentDeskDO migrations, in order. Never edit one that has run; add the next instead.
import init from "./0001_init.sql";
import canned from "./0002_canned.sql";
import type { Migration } from "../../src/storage/migrations.ts";

export const deskMigrations: Migration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_canned", sql: canned },
];
