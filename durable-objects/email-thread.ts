// EmailThreadDO: one shard of the email thread map (src/email/threading.ts): thread keys
// (keyed hashes of Message-IDs, reply tokens) to conversation ids. Glue only. It holds no
// personal data, so one map serves every jurisdiction; an EU conversation's id says where
// it lives. Entries older than the retention period go on a daily alarm.
import { DurableObject } from "cloudflare:workers";
import { emailThreadMigrations } from "../migrations/email-thread/index.ts";
import { readConfig } from "../src/config.ts";
import { applyMigrations } from "../src/storage/migrations.ts";

const DAY_MS = 86_400_000;

export class EmailThreadDO extends DurableObject<Env> {
  private readonly keepMs: number;
  private armed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, emailThreadMigrations);
    this.keepMs = readConfig(env).retentionDays * DAY_MS;
  }

  /** The conversations of the keys this shard knows. */
  find(keys: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of keys.slice(0, 64)) {
      const row = this.ctx.storage.sql.exec<{ conversation_id: string }>("SELECT conversation_id FROM threads WHERE key = ?", key).toArray()[0];
      if (row) out[key] = row.conversation_id;
    }
    return out;
  }

  /**
   * Binds a key to a conversation unless it is bound already; returns the conversation it is
   * bound to now (the first binding wins: two deliveries of one mail get one conversation).
   */
  claim(key: string, conversationId: string, at: number): string {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO threads (key, conversation_id, created_at) VALUES (?, ?, ?)", key, conversationId, at);
    void this.arm(at);
    return this.ctx.storage.sql.exec<{ conversation_id: string }>("SELECT conversation_id FROM threads WHERE key = ?", key).one().conversation_id;
  }

  override async alarm(): Promise<void> {
    this.armed = false;
    this.ctx.storage.sql.exec("DELETE FROM threads WHERE created_at < ?", Date.now() - this.keepMs);
    const left = this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM threads").one().n;
    if (left > 0) await this.arm(Date.now());
  }

  private async arm(now: number): Promise<void> {
    if (this.armed) return;
    this.armed = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + DAY_MS);
  }
}
