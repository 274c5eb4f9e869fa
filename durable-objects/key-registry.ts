// KeyRegistryDO: one shard of the registry of conversations by the master key (kid) that
// wraps their data key (src/privacy/key-rewrap.ts). Glue only. It holds conversation ids,
// which are not personal data, so one registry serves every jurisdiction: a rewrap pass
// reaches EU conversations through it as well.
import { DurableObject } from "cloudflare:workers";
import { keyRegistryMigrations } from "../migrations/key-registry/index.ts";
import type { RegistryEntry } from "../src/privacy/key-rewrap.ts";
import { applyMigrations } from "../src/storage/migrations.ts";

export class KeyRegistryDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, keyRegistryMigrations);
  }

  /** The conversation's data key is (now) wrapped under `kid`. */
  record(conversationId: string, kid: string, at: number): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO data_keys (conversation_id, kid, updated_at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET kid = excluded.kid, updated_at = excluded.updated_at",
      conversationId,
      kid,
      at,
    );
  }

  /** The conversation holds no key any more (erased). */
  forget(conversationId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM data_keys WHERE conversation_id = ?", conversationId);
  }

  /** Entries with ids after `after` whose kid is not `exceptKid`, in id order. */
  page(after: string, limit: number, exceptKid: string): RegistryEntry[] {
    return this.ctx.storage.sql
      .exec<{ conversation_id: string; kid: string }>("SELECT conversation_id, kid FROM data_keys WHERE conversation_id > ? AND kid != ? ORDER BY conversation_id LIMIT ?", after, exceptKid, limit)
      .toArray()
      .map((r) => ({ conversationId: r.conversation_id, kid: r.kid }));
  }

  /** Data keys per kid in this shard. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.ctx.storage.sql.exec<{ kid: string; n: number }>("SELECT kid, COUNT(*) AS n FROM data_keys GROUP BY kid")) out[r.kid] = r.n;
    return out;
  }
}
