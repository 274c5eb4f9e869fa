// RegionOpsDO's SQLite store. The rollup is saved incrementally (its head and the buckets
// changed since the last save, expired buckets deleted), never as a whole snapshot; gaps
// one row each; alerts, the outbox and drafts as small JSON values. Every save is one
// synchronous transaction. Between saves, each batch's events are logged (one row per
// batch) so that a restart can count them again.
import type { OpsEvent } from "../src/ops/events.ts";
import type { GapsJSON } from "../src/ops/gaps.ts";
import { EMPTY_SAVE, type GapChanges, type OpsChanges, type SavedOps } from "../src/ops/region-ops.ts";
import type { BucketJSON, RollupHead } from "../src/ops/rollup.ts";

function parse<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export class RegionOpsStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  load(): SavedOps {
    const values = new Map(this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM ops_state").toArray().map((r) => [r.key, r.value]));
    const head = parse<RollupHead | null>(values.get("head"), null);
    const buckets = this.sql.exec<{ ring: "m" | "h"; value: string }>("SELECT ring, value FROM rollup_buckets ORDER BY start").toArray();
    const ring = (r: "m" | "h") => buckets.filter((b) => b.ring === r).map((b) => parse<BucketJSON | null>(b.value, null)).filter((b): b is BucketJSON => b !== null);
    const gaps = this.sql.exec<{ value: string }>("SELECT value FROM gaps").toArray().map((r) => parse<GapsJSON[number] | null>(r.value, null)).filter((g): g is GapsJSON[number] => g !== null);
    return {
      rollup: head ? { ...head, minutes: ring("m"), hours: ring("h") } : null,
      // Least recently seen first, as the clusters keep them (eviction order).
      gaps: gaps.sort((a, b) => a.lastSeen - b.lastSeen),
      drafts: parse(values.get("drafts"), EMPTY_SAVE.drafts),
      alerts: parse(values.get("alerts"), EMPTY_SAVE.alerts),
      outbox: parse(values.get("outbox"), EMPTY_SAVE.outbox),
    };
  }

  /**
   * Saves everything counted so far: the logged batches are now in the saved state. Log rows
   * received before `logKeepFrom` go; later ones stay for their ids only.
   */
  save(c: OpsChanges, logKeepFrom: number): void {
    this.storage.transactionSync(() => {
      this.put("head", c.rollup.head);
      for (const [ring, list] of [["m", c.rollup.minutes], ["h", c.rollup.hours]] as const) {
        for (const b of list) this.sql.exec("INSERT OR REPLACE INTO rollup_buckets (ring, start, value) VALUES (?, ?, ?)", ring, b.s, JSON.stringify(b));
      }
      this.sql.exec("DELETE FROM rollup_buckets WHERE (ring = 'm' AND start < ?) OR (ring = 'h' AND start < ?)", c.rollup.keepMinutesFrom, c.rollup.keepHoursFrom);
      this.writeGaps(c);
      this.put("drafts", c.drafts);
      this.put("alerts", c.alerts);
      this.put("outbox", c.outbox);
      const last = this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM ops_event_log").one().seq;
      if (last !== null) {
        this.put("log_saved", last);
        this.sql.exec("DELETE FROM ops_event_log WHERE seq <= ? AND received_at < ?", last, logKeepFrom);
      }
    });
  }

  /** Saves gap changes alone (a batch brought questions). */
  saveGaps(c: GapChanges): void {
    this.storage.transactionSync(() => this.writeGaps(c));
  }

  /** Logs a batch's counted events, received at `receivedAt`. */
  logEvents(region: string, receivedAt: number, events: readonly OpsEvent[]): void {
    this.sql.exec("INSERT INTO ops_event_log (region, received_at, events) VALUES (?, ?, ?)", region, receivedAt, JSON.stringify(events));
  }

  /** The logged batches in order, each marked whether a save already includes it; and the region they name. */
  eventLog(): { region: string | null; batches: Array<{ receivedAt: number; events: OpsEvent[]; saved: boolean }> } {
    const savedUpTo = parse<number>(this.sql.exec<{ value: string }>("SELECT value FROM ops_state WHERE key = 'log_saved'").toArray()[0]?.value, 0);
    const rows = this.sql.exec<{ seq: number; region: string; received_at: number; events: string }>("SELECT seq, region, received_at, events FROM ops_event_log ORDER BY seq").toArray();
    return {
      region: rows.at(-1)?.region ?? null,
      batches: rows.map((r) => ({ receivedAt: r.received_at, events: parse<OpsEvent[]>(r.events, []), saved: r.seq <= savedUpTo })),
    };
  }

  /** Saves the outbox alone (after a delivery). */
  saveOutbox(outbox: OpsChanges["outbox"]): void {
    this.put("outbox", outbox);
  }

  private writeGaps(c: GapChanges): void {
    for (const g of c.gaps) this.sql.exec("INSERT OR REPLACE INTO gaps (id, value) VALUES (?, ?)", g.id, JSON.stringify(g));
    for (const id of c.deletedGaps) this.sql.exec("DELETE FROM gaps WHERE id = ?", id);
  }

  private put(key: string, value: unknown): void {
    this.sql.exec("INSERT OR REPLACE INTO ops_state (key, value) VALUES (?, ?)", key, JSON.stringify(value));
  }
}
