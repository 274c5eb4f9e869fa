// SubjectIndexDO: one per verified customer (named by the subject key, an HMAC of the
// customer id). Glue only: it lists the customer's conversations across regions and
// jurisdictions, so a GDPR/CCPA export or erasure finds all of them. It holds ids only.
import { DurableObject } from "cloudflare:workers";

export interface SubjectConversation {
  conversationId: string;
  jurisdiction: "eu" | null;
  region: string;
  createdAt: string;
}

export class SubjectIndexDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.schema();
  }

  private schema(): void {
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS conversations (conversation_id TEXT PRIMARY KEY, jurisdiction TEXT, region TEXT NOT NULL, created_at INTEGER NOT NULL)",
    );
  }

  add(entry: SubjectConversation): void {
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO conversations (conversation_id, jurisdiction, region, created_at) VALUES (?, ?, ?, ?)",
      entry.conversationId,
      entry.jurisdiction,
      entry.region,
      Date.parse(entry.createdAt),
    );
  }

  list(): SubjectConversation[] {
    return this.ctx.storage.sql
      .exec<{ conversation_id: string; jurisdiction: "eu" | null; region: string; created_at: number }>("SELECT * FROM conversations ORDER BY created_at")
      .toArray()
      .map((r) => ({ conversationId: r.conversation_id, jurisdiction: r.jurisdiction, region: r.region, createdAt: new Date(r.created_at).toISOString() }));
  }

  /** Drops one conversation (erased on its own, by retention). */
  remove(conversationId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM conversations WHERE conversation_id = ?", conversationId);
  }

  /** Forgets the subject entirely: the index entry is erased with the data. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAll();
    // The object lives on, empty: it may index the customer's next conversation.
    this.schema();
  }
}
