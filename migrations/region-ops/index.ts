// RegionOpsDO migrations, in order. Never edit one that has run; add the next instead.
import init from "./0001_init.sql";
import eventLog from "./0002_event_log.sql";
import type { Migration } from "../../src/storage/migrations.ts";

export const regionOpsMigrations: Migration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_event_log", sql: eventLog },
];
