// DevMailboxDO (development only): what was sent through the send_email binding, for
// GET /v1/dev/email/outbox, the tests and the drill. Glue only; the newest MAX_KEPT are kept.
// Nothing writes to it without HOLDFAST_DEV (src/platform/mail.ts).
import { DurableObject } from "cloudflare:workers";
import { devMailboxMigrations } from "../migrations/dev-mailbox/index.ts";
import type { SentMail } from "../src/platform/mail.ts";
import { applyMigrations } from "../src/storage/migrations.ts";

const MAX_KEPT = 2_000;

export class DevMailboxDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, devMailboxMigrations);
  }

  record(item: SentMail): void {
    const sql = this.ctx.storage.sql;
    sql.exec("INSERT INTO sent (item) VALUES (?)", JSON.stringify(item));
    sql.exec("DELETE FROM sent WHERE id <= (SELECT MAX(id) FROM sent) - ?", MAX_KEPT);
  }

  /** Sent mail, oldest first; only one conversation's when `conversationId` is given. */
  list(conversationId?: string): SentMail[] {
    const items = this.ctx.storage.sql.exec<{ item: string }>("SELECT item FROM sent ORDER BY id").toArray().map((r) => JSON.parse(r.item) as SentMail);
    return conversationId ? items.filter((i) => i.conversationId === conversationId) : items;
  }
}
