// WebhookDO's SQLite store (migrations/webhooks): the outbox of deliveries, the team's name
// and the last list of its subscriptions read from the primary.
import type { StoredSubscription } from "../src/webhooks/subscriptions.ts";

export interface Delivery {
  id: number;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  body: string;
  attempts: number;
}

export interface NewDelivery {
  eventId: string;
  eventType: string;
  subscriptionId: string;
  conversationId: string;
  body: string;
}

type Row = { id: number; event_id: string; event_type: string; subscription_id: string; body: string; attempts: number };

export class WebhookStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  private get(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM outbox_state WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private put(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO outbox_state (key, value) VALUES (?, ?)", key, value);
  }

  team(): string | null {
    return this.get("team");
  }

  setTeam(team: string): void {
    if (this.team() !== team) this.put("team", team);
  }

  /** The subscriptions last read from the primary, and when. */
  subscriptions(): { list: StoredSubscription[]; fetchedAt: number } | null {
    const raw = this.get("subscriptions");
    return raw ? (JSON.parse(raw) as { list: StoredSubscription[]; fetchedAt: number }) : null;
  }

  saveSubscriptions(list: StoredSubscription[], fetchedAt: number): void {
    this.put("subscriptions", JSON.stringify({ list, fetchedAt }));
  }

  /** Queues deliveries due now; one already queued (same event, same subscription) is not queued again. How many were new. */
  add(rows: NewDelivery[], now: number): number {
    let added = 0;
    for (const r of rows) {
      added += this.sql.exec(
        "INSERT OR IGNORE INTO deliveries (event_id, event_type, subscription_id, conversation_id, body, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        r.eventId,
        r.eventType,
        r.subscriptionId,
        r.conversationId,
        r.body,
        now,
        now,
      ).rowsWritten;
    }
    return added;
  }

  /** Drops the oldest deliveries past `max`; how many went. */
  trim(max: number): number {
    return this.sql.exec("DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries ORDER BY id DESC LIMIT -1 OFFSET ?)", max).rowsWritten;
  }

  /** Deliveries due at `now`, oldest first. */
  due(now: number, limit: number): Delivery[] {
    return this.sql
      .exec<Row>("SELECT id, event_id, event_type, subscription_id, body, attempts FROM deliveries WHERE next_at <= ? ORDER BY id LIMIT ?", now, limit)
      .toArray()
      .map((r) => ({ id: r.id, eventId: r.event_id, eventType: r.event_type, subscriptionId: r.subscription_id, body: r.body, attempts: r.attempts }));
  }

  /** Delivered, or given up: the row goes. */
  remove(id: number): void {
    this.sql.exec("DELETE FROM deliveries WHERE id = ?", id);
  }

  retry(id: number, attempts: number, at: number): void {
    this.sql.exec("UPDATE deliveries SET attempts = ?, next_at = ? WHERE id = ?", attempts, at, id);
  }

  nextDueAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_at) AS t FROM deliveries").one().t;
  }

  /** An erased conversation's deliveries go unsent (they may hold its text). */
  forgetConversation(conversationId: string): number {
    return this.sql.exec("DELETE FROM deliveries WHERE conversation_id = ?", conversationId).rowsWritten;
  }

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries").one().n;
  }
}
