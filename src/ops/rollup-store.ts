// The two rings of time buckets a rollup keeps: 1440 minutes and 168 hours. A slot is
// reused when its time comes round again, so memory is bounded by the ring sizes times
// the label sets a bucket may hold (capped, overflow under `other`).
import type { GaugeName } from "./aggregate.ts";
import { OTHER_KEY, tallyFromJSON, tallyToJSON, emptyTally, type Tally, type TallyJSON } from "./tally.ts";

export type Window = "1h" | "24h" | "7d";
export const WINDOWS: readonly Window[] = ["1h", "24h", "7d"];

/** A named window, or the last `minutes` minutes (1–1440), as alert rules use. */
export type WindowSpec = Window | { minutes: number };

/** One bucket as compact JSON: start, tallies by label key, gauge maxima. */
export interface BucketJSON {
  s: number;
  t: Array<[string, TallyJSON]>;
  g: Partial<Record<GaugeName, number>>;
}

export interface Bucket {
  start: number;
  tallies: Map<string, Tally>;
  gauges: Partial<Record<GaugeName, number>>;
}

type Ring = "m" | "h";

/** Buckets of one ring from `from` (inclusive) to `to` (exclusive), `res` ms each. */
export interface Range {
  ring: Ring;
  res: number;
  from: number;
  to: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const RINGS: Record<Ring, { res: number; size: number }> = { m: { res: MINUTE_MS, size: 1440 }, h: { res: HOUR_MS, size: 168 } };

const bucketToJSON = (b: Bucket): BucketJSON => ({ s: b.start, t: [...b.tallies].map(([k, t]) => [k, tallyToJSON(t)]), g: { ...b.gauges } });

export class RollupStore {
  private readonly maxLabelSets: number;
  private readonly rings: Record<Ring, Array<Bucket | undefined>> = { m: new Array(RINGS.m.size), h: new Array(RINGS.h.size) };
  private readonly dirty: Record<Ring, Set<number>> = { m: new Set(), h: new Set() };

  constructor(maxLabelSets: number) {
    this.maxLabelSets = maxLabelSets;
  }

  /** The buckets a window covers, ending with the one containing `now`. */
  range(window: WindowSpec, now: number): Range {
    const ring: Ring = window === "7d" ? "h" : "m";
    const count = window === "7d" ? 168 : window === "24h" ? 1440 : window === "1h" ? 60 : Math.min(1440, Math.max(1, Math.floor(window.minutes)));
    const res = RINGS[ring].res;
    const newest = Math.floor(now / res) * res;
    return { ring, res, from: newest - (count - 1) * res, to: newest + res };
  }

  /** The buckets holding data in a range. */
  buckets(range: Range): Bucket[] {
    const out: Bucket[] = [];
    for (let start = Math.ceil(range.from / range.res) * range.res; start < range.to; start += range.res) {
      const b = this.rings[range.ring][this.slot(range.ring, start)];
      if (b?.start === start) out.push(b);
    }
    return out;
  }

  /** The minute and hour tallies an event at `at` goes to (fewer when too old to keep). */
  tallies(at: number, now: number, key: string): Tally[] {
    const out: Tally[] = [];
    for (const ring of ["m", "h"] as const) {
      const b = this.bucket(ring, at, now);
      if (!b) continue;
      const k = b.tallies.has(key) || b.tallies.size < this.maxLabelSets ? key : OTHER_KEY;
      let t = b.tallies.get(k);
      if (!t) b.tallies.set(k, (t = emptyTally()));
      out.push(t);
    }
    return out;
  }

  /**
   * The minute and hour tallies an event at `at` with labels `key` went to, while they are
   * still kept (nothing is created), to take a replaced rating back out of them.
   */
  counted(at: number, now: number, key: string): Tally[] {
    const out: Tally[] = [];
    for (const ring of ["m", "h"] as const) {
      const { res, size } = RINGS[ring];
      const start = Math.floor(at / res) * res;
      const b = this.rings[ring][this.slot(ring, start)];
      if (b?.start !== start || start <= Math.floor(now / res) * res - size * res) continue;
      // A label set that did not fit when the event came was counted under `other`.
      const t = b.tallies.get(key) ?? b.tallies.get(OTHER_KEY);
      if (!t) continue;
      this.dirty[ring].add(start);
      out.push(t);
    }
    return out;
  }

  /** Raises a gauge's maximum in the minute and hour containing `at`. */
  gauge(at: number, now: number, name: GaugeName, value: number): void {
    for (const ring of ["m", "h"] as const) {
      const b = this.bucket(ring, at, now);
      if (b) b.gauges[name] = Math.max(b.gauges[name] ?? value, value);
    }
  }

  toJSON(now: number): { minutes: BucketJSON[]; hours: BucketJSON[] } {
    return { minutes: this.live("m", now).map(bucketToJSON), hours: this.live("h", now).map(bucketToJSON) };
  }

  /** Buckets changed since the last call, and where expiry starts. */
  takeDirty(now: number): { minutes: BucketJSON[]; hours: BucketJSON[]; keepMinutesFrom: number; keepHoursFrom: number } {
    const take = (ring: Ring) => {
      const out = this.live(ring, now).filter((b) => this.dirty[ring].has(b.start)).map(bucketToJSON);
      this.dirty[ring].clear();
      return out;
    };
    return { minutes: take("m"), hours: take("h"), keepMinutesFrom: this.range("24h", now).from, keepHoursFrom: this.range("7d", now).from };
  }

  /** Puts saved buckets back (the newer wins a slot). */
  load(minutes: readonly BucketJSON[], hours: readonly BucketJSON[]): void {
    for (const [ring, list] of [["m", minutes], ["h", hours]] as const) {
      for (const j of list) {
        if (!Number.isFinite(j?.s) || j.s % RINGS[ring].res !== 0) continue;
        const slot = this.slot(ring, j.s);
        const existing = this.rings[ring][slot];
        if (existing && existing.start >= j.s) continue;
        this.rings[ring][slot] = { start: j.s, tallies: new Map((j.t ?? []).slice(0, this.maxLabelSets + 1).map(([k, t]) => [String(k), tallyFromJSON(t)])), gauges: { ...(j.g ?? {}) } };
      }
    }
  }

  private slot(ring: Ring, start: number): number {
    const { res, size } = RINGS[ring];
    return (((start / res) % size) + size) % size;
  }

  /** The bucket for `at`, created (reusing its slot) if retained; undefined if too old or the slot is newer. */
  private bucket(ring: Ring, at: number, now: number): Bucket | undefined {
    const { res, size } = RINGS[ring];
    const start = Math.floor(at / res) * res;
    const newest = Math.floor(now / res) * res;
    if (start > newest || start <= newest - size * res) return undefined;
    const slot = this.slot(ring, start);
    let b = this.rings[ring][slot];
    if (b?.start !== start) {
      if (b && b.start > start) return undefined;
      b = { start, tallies: new Map(), gauges: {} };
      this.rings[ring][slot] = b;
    }
    this.dirty[ring].add(start);
    return b;
  }

  private live(ring: Ring, now: number): Bucket[] {
    return this.buckets(this.range(ring === "h" ? "7d" : "24h", now));
  }
}
