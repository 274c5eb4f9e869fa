// RegionOpsDO's SQLite store. The rollup is saved incrementally (its head and the buckets
// changed since the last save, expired buckets deleted), never as a whole snapshot; gaps
// one row each; alerts, the outbox and drafts as small JSON values. Every save is one
// synchronous transaction.
import type { GapsJSON } from "../src/ops/gaps.ts";
import { EMPTY_SAVE, type OpsChanges, type SavedOps } from "../src/ops/region-ops.ts";
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

  save(c: OpsChanges): void {
    this.storage.transactionSync(() => {
      this.put("head", c.rollup.head);
      for (const [ring, list] of [["m", c.rollup.minutes], ["h", c.rollup.hours]] as const) {
        for (const b of list) this.sql.exec("INSERT OR REPLACE INTO rollup_buckets (ring, start, value) VALUES (?, ?, ?)", ring, b.s, JSON.stringify(b));
      }
      this.sql.exec("DELETE FROM rollup_buckets WHERE (ring = 'm' AND start < ?) OR (ring = 'h' AND start < ?)", c.rollup.keepMinutesFrom, c.rollup.keepHoursFrom);
      for (const g of c.gaps) this.sql.exec("INSERT OR REPLACE INTO gaps (id, value) VALUES (?, ?)", g.id, JSON.stringify(g));
      for (const id of c.deletedGaps) this.sql.exec("DELETE FROM gaps WHERE id = ?", id);
      this.put("drafts", c.drafts);
      this.put("alerts", c.alerts);
      this.put("outbox", c.outbox);
    });
  }

  /** Saves the outbox alone (after a delivery). */
  saveOutbox(outbox: OpsChanges["outbox"]): void {
    this.put("outbox", outbox);
  }

  private put(key: string, value: unknown): void {
    this.sql.exec("INSERT OR REPLACE INTO ops_state (key, value) VALUES (?, ?)", key, JSON.stringify(value));
  }
}
