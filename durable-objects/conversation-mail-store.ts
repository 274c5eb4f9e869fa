// The ConversationDO's mail tables (migrations/conversation/0011_email.sql): each customer
// mail's sealed headers (mail_in, keyed by its message's seq) and the outbox of replies that
// go out by mail (mail_out). Both are written inside the transaction that stores the message
// they belong to (ConversationStore.onInsert); nothing is written after an erasure.
import type { MailOut } from "../src/email/mail-thread.ts";
import type { ErasedMarker } from "./conversation-erased.ts";

/** An outbox row waiting to be sent. */
export type OutboxRow = {
  seq: number;
  attempts: number;
};

export class MailStore {
  private readonly sql: SqlStorage;
  private readonly marker: ErasedMarker;

  constructor(sql: SqlStorage, marker: ErasedMarker) {
    this.sql = sql;
    this.marker = marker;
  }

  /** Keeps a customer mail's sealed headers beside its message (inside the message's transaction). */
  saveIn(seq: number, sealed: string, at: number): void {
    this.marker.check();
    this.sql.exec("INSERT OR REPLACE INTO mail_in (seq, data, created_at) VALUES (?, ?, ?)", seq, sealed, at);
  }

  /** Whether any customer mail is kept here. */
  hasIn(): boolean {
    return this.sql.exec("SELECT 1 FROM mail_in LIMIT 1").toArray().length > 0;
  }

  /** Every customer mail's sealed headers, by seq. */
  ins(): Array<{ seq: number; data: string }> {
    return this.sql.exec<{ seq: number; data: string }>("SELECT seq, data FROM mail_in ORDER BY seq").toArray();
  }

  /** Queues the reply at `seq` to go out by mail (inside the reply's transaction). */
  queue(seq: number, at: number): void {
    this.marker.check();
    this.sql.exec("INSERT OR IGNORE INTO mail_out (seq, created_at, next_at) VALUES (?, ?, ?)", seq, at, at);
  }

  /** Rows due by `now`, oldest first. */
  due(now: number): OutboxRow[] {
    return this.sql.exec<OutboxRow>("SELECT seq, attempts FROM mail_out WHERE sent_at IS NULL AND next_at <= ? ORDER BY seq", now).toArray();
  }

  /** When the next unsent row is due, or null when none waits. */
  nextDue(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_at) AS t FROM mail_out WHERE sent_at IS NULL").one().t;
  }

  /** The email service accepted the mail of `seq` under `messageId`. */
  sent(seq: number, messageId: string, at: number): void {
    if (this.marker.erased) return;
    this.sql.exec("UPDATE mail_out SET sent_at = ?, message_id = ?, attempts = attempts + 1, error = NULL WHERE seq = ?", at, messageId, seq);
  }

  /** A send failed: try again at `nextAt` (null: given up, kept with its error). */
  failed(seq: number, nextAt: number | null, error: string): void {
    if (this.marker.erased) return;
    if (nextAt === null) this.sql.exec("UPDATE mail_out SET attempts = attempts + 1, error = ?, sent_at = -1 WHERE seq = ?", error, seq);
    else this.sql.exec("UPDATE mail_out SET attempts = attempts + 1, error = ?, next_at = ? WHERE seq = ?", error, nextAt, seq);
  }

  /** Our sent mails' Message-IDs, by seq. */
  outs(): MailOut[] {
    return this.sql.exec<{ seq: number; message_id: string | null }>("SELECT seq, message_id FROM mail_out WHERE sent_at > 0 ORDER BY seq").toArray().map((r) => ({ seq: r.seq, messageId: r.message_id }));
  }
}
