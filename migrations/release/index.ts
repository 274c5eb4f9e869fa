// ReleaseDO migrations, in order. Never edit one that has run; add the next instead.
import init from "./0001_init.sql";
import type { Migration } from "../../src/storage/migrations.ts";

export const releaseMigrations: Migration[] = [{ name: "0001_init", sql: init }];
