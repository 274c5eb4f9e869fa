// Transcript reads per operator, for the unusual-reads alert: the distinct conversations
// each operator read in the last hour (a conversation read again within the hour counts
// once), and hourly counts for 8 days (the history a median day is taken from). Operator
// ids and hashed conversation ids only, never text; bounded in operators and entries.
import type { HashedId } from "./events.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Hourly counts older than this are dropped (7 days of history and the current one). */
const KEEP_MS = 8 * DAY;

export interface ReadsOptions {
  /** Operators tracked; the one read least recently is dropped first. */
  maxOperators: number;
  /** Recent reads kept per operator for de-duplication; past it, reads still count hourly. */
  maxRecent: number;
  /** How long a read is recent: a second read of the same conversation within it is not counted. */
  recentMs: number;
}

export const DEFAULT_READS: ReadsOptions = { maxOperators: 1_000, maxRecent: 2_000, recentMs: HOUR };

/** Persisted form: per operator, `h`: [hour start, count][], `r`: [at, conversation][] (recent reads). */
export type OperatorReadsJSON = Record<string, { h: Array<[number, number]>; r: Array<[number, string]> }>;

interface Reader {
  hours: Map<number, number>;
  recent: Array<[number, string]>;
  last: number;
}

/** What the reads rule looks at for one operator at a time. */
export interface OperatorReadStats {
  operator: string;
  /** Distinct conversations read in the window. */
  recent: number;
  /** The median of their daily totals over the history, counting only days with reads (0: none). */
  medianDay: number;
  /** Days in the history with reads. */
  activeDays: number;
}

export class OperatorReads {
  private readonly options: ReadsOptions;
  private readonly readers = new Map<string, Reader>();

  constructor(options: Partial<ReadsOptions> = {}) {
    this.options = { ...DEFAULT_READS, ...options };
  }

  /** Records that `operator` read the transcripts of `conversations` at `at`; returns how many counted (new within the hour). */
  add(operator: string, conversations: readonly HashedId[], at: number): number {
    let reader = this.readers.get(operator);
    if (!reader) {
      reader = { hours: new Map(), recent: [], last: at };
      this.readers.set(operator, reader);
      this.evict();
    }
    this.prune(reader, at);
    let counted = 0;
    for (const conversation of new Set(conversations)) {
      if (reader.recent.some(([, c]) => c === conversation)) continue;
      if (reader.recent.length < this.options.maxRecent) reader.recent.push([at, conversation]);
      const hour = Math.floor(at / HOUR) * HOUR;
      reader.hours.set(hour, (reader.hours.get(hour) ?? 0) + 1);
      counted++;
    }
    reader.last = Math.max(reader.last, at);
    // Most recently active last: the first one is the first to go.
    this.readers.delete(operator);
    this.readers.set(operator, reader);
    return counted;
  }

  /**
   * For each operator who read in the last `windowMs` before `now`: reads in that window
   * (the hourly counts it covers, the current hour's part by its recent reads) and their
   * median day over the `historyDays` days before the window.
   */
  stats(now: number, windowMs: number, historyDays: number): OperatorReadStats[] {
    const out: OperatorReadStats[] = [];
    // History ends with the hour the window starts in (hours are the history's resolution).
    const start = Math.floor((now - windowMs) / HOUR) * HOUR;
    for (const [operator, reader] of this.readers) {
      this.prune(reader, now);
      const recent = windowMs <= this.options.recentMs ? reader.recent.filter(([at]) => at > now - windowMs && at <= now).length : this.sum(reader, start, now + 1);
      const days: number[] = [];
      for (let d = 1; d <= historyDays; d++) {
        const total = this.sum(reader, start - d * DAY, start - (d - 1) * DAY);
        if (total > 0) days.push(total);
      }
      if (recent === 0 && !days.length) continue;
      out.push({ operator, recent, medianDay: median(days), activeDays: days.length });
    }
    return out;
  }

  toJSON(): OperatorReadsJSON {
    const out: OperatorReadsJSON = {};
    for (const [operator, r] of this.readers) out[operator] = { h: [...r.hours], r: r.recent.map(([at, c]) => [at, c]) };
    return out;
  }

  static fromJSON(json: OperatorReadsJSON | undefined, options: Partial<ReadsOptions> = {}): OperatorReads {
    const reads = new OperatorReads(options);
    for (const [operator, saved] of Object.entries(json ?? {})) {
      if (!Array.isArray(saved?.h) || !Array.isArray(saved?.r)) continue;
      const hours = new Map(saved.h.filter(([h, n]) => Number.isFinite(h) && Number.isFinite(n) && n > 0));
      const recent = saved.r.filter(([at, c]) => Number.isFinite(at) && typeof c === "string").slice(-reads.options.maxRecent);
      const last = Math.max(0, ...hours.keys(), ...recent.map(([at]) => at));
      reads.readers.set(operator, { hours, recent, last });
    }
    reads.evict();
    return reads;
  }

  /** Reads counted in the hours starting in [from, to). */
  private sum(reader: Reader, from: number, to: number): number {
    let n = 0;
    for (const [hour, count] of reader.hours) if (hour >= from && hour < to) n += count;
    return n;
  }

  private prune(reader: Reader, now: number): void {
    for (const hour of reader.hours.keys()) if (hour < now - KEEP_MS) reader.hours.delete(hour);
    reader.recent = reader.recent.filter(([at]) => at > now - this.options.recentMs);
  }

  private evict(): void {
    while (this.readers.size > this.options.maxOperators) this.readers.delete(this.readers.keys().next().value!);
  }
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
