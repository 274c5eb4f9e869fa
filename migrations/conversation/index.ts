// ConversationDO migrations, in order. Never edit one that has run; add the next instead.
import init from "./0001_init.sql";
import dialogue from "./0002_dialogue.sql";
import jurisdiction from "./0003_jurisdiction.sql";
import sendRate from "./0004_send_rate.sql";
import handoff from "./0005_handoff.sql";
import outcome from "./0006_outcome.sql";
import dataKey from "./0007_data_key.sql";
import keyRegistered from "./0008_key_registered.sql";
import frameLimits from "./0009_frame_limits.sql";
import erased from "./0010_erased.sql";
import learning from "./0011_learning.sql";
import email from "./0012_email.sql";
import release from "./0013_release.sql";
import type { Migration } from "../../src/storage/migrations.ts";

export const conversationMigrations: Migration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_dialogue", sql: dialogue },
  { name: "0003_jurisdiction", sql: jurisdiction },
  { name: "0004_send_rate", sql: sendRate },
{ name: "0005_handoff", sql: handoff },
  { name: "0006_outcome", sql: outcome },
  { name: "0007_data_key", sql: dataKey },
  { name: "0008_key_registered", sql: keyRegistered },
  { name: "0009_frame_limits", sql: frameLimits },
  { name: "0010_erased", sql: erased },
  { name: "0011_learning", sql: learning },
  { name: "0012_email", sql: email },
  { name: "0013_release", sql: release },
];
