// SubjectIndexDO: one per verified customer (named by the subject key, an HMAC of the
// customer id). Glue only: it lists the customer's conversations across regions and
// jurisdictions, so a GDPR/CCPA export or erasure finds all of them, and keeps what agents
// see of their history (src/conversation/history.ts), updated by each conversation as it
// changes: ids, times, statuses, ratings and article titles, never customer text. EU
// conversations' history is kept by the customer's second index, in the `eu` jurisdiction
// (src/platform/subjects.ts).
import { DurableObject } from "cloudflare:workers";
import { subjectIndexMigrations } from "../migrations/subject-index/index.ts";
import { MAX_HISTORY, withArticles, type HistoryArticle, type HistoryEntry, type HistoryNote, type HistoryStatus } from "../src/conversation/history.ts";
import { applyMigrations } from "../src/storage/migrations.ts";

export interface SubjectConversation {
  conversationId: string;
  jurisdiction: "eu" | null;
  region: string;
  createdAt: string;
  /** Where it came from; absent: the chat (web). */
  channel?: string;
}

type Row = {
  conversation_id: string;
  jurisdiction: "eu" | null;
  region: string;
  created_at: number;
  channel: string;
  status: HistoryStatus;
  handed_off: number;
  resolution: string | null;
  rating: number | null;
  articles: string;
  updated_at: number | null;
};

export class SubjectIndexDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, subjectIndexMigrations);
  }

  add(entry: SubjectConversation): void {
    const at = Date.parse(entry.createdAt);
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO conversations (conversation_id, jurisdiction, region, created_at, channel, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      entry.conversationId,
      entry.jurisdiction,
      entry.region,
      at,
      entry.channel ?? "web",
      at,
    );
  }

  list(): SubjectConversation[] {
    return this.rows().map((r) => ({ conversationId: r.conversation_id, jurisdiction: r.jurisdiction, region: r.region, createdAt: new Date(r.created_at).toISOString() }));
  }

  /** Records what changed in a conversation's history; a conversation not indexed (erased, never verified) is left alone. */
  note(conversationId: string, note: HistoryNote, at: number = Date.now()): void {
    const sql = this.ctx.storage.sql;
    const row = sql.exec<Row>("SELECT * FROM conversations WHERE conversation_id = ?", conversationId).toArray()[0];
    if (!row) return;
    const articles = note.articles ? withArticles(JSON.parse(row.articles) as HistoryArticle[], note.articles) : null;
    sql.exec(
      "UPDATE conversations SET status = ?, handed_off = ?, resolution = ?, rating = ?, articles = ?, updated_at = ? WHERE conversation_id = ?",
      note.status ?? row.status,
      note.handedOff ? 1 : row.handed_off,
      note.resolution ?? row.resolution,
      note.rating ?? row.rating,
      articles ? JSON.stringify(articles) : row.articles,
      Math.max(at, row.updated_at ?? 0),
      conversationId,
    );
  }

  /** The customer's conversations other than `except`, newest first (at most MAX_HISTORY). */
  history(except?: string): HistoryEntry[] {
    return this.rows()
      .filter((r) => r.conversation_id !== except)
      .reverse()
      .slice(0, MAX_HISTORY)
      .map((r) => {
        const entry: HistoryEntry = {
          id: r.conversation_id,
          startedAt: new Date(r.created_at).toISOString(),
          channel: r.channel,
          status: r.status,
          handedOff: r.handed_off === 1,
          articles: JSON.parse(r.articles) as HistoryArticle[],
          updatedAt: new Date(r.updated_at ?? r.created_at).toISOString(),
        };
        if (r.resolution !== null) entry.resolution = r.resolution;
        if (r.rating !== null) entry.rating = r.rating;
        return entry;
      });
  }

  /** Drops one conversation (erased on its own, by retention). */
  remove(conversationId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM conversations WHERE conversation_id = ?", conversationId);
  }

  /** Forgets the subject entirely: the index entry is erased with the data. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAll();
    // The object lives on, empty: it may index the customer's next conversation.
    applyMigrations(this.ctx.storage, subjectIndexMigrations);
  }

  private rows(): Row[] {
    return this.ctx.storage.sql.exec<Row>("SELECT * FROM conversations ORDER BY created_at, conversation_id").toArray();
  }
}
