// A region's cumulative totals by Worker version, for /metrics: the versions of a gradual
// deployment side by side, in bounded memory. The last few versions seen are kept apart;
// the least recently seen beyond them are folded into `other`, so the sum over versions
// never goes down. Live totals and the persisted ones /metrics shows (monotonic: only what
// the DO made durable) are kept together, so that a fold moves both at once.
import type { Mode } from "./events.ts";
import { emptyTally, maxTally, mergeTally, tallyFromJSON, tallyToJSON, type Tally, type TallyJSON } from "./tally.ts";
import { OTHER_VERSION, UNKNOWN_VERSION, versionLabel } from "./version.ts";

/** Cumulative tallies since the region's first event, by mode. */
export type Totals = Record<Mode, Tally>;

/** Totals by Worker version label (a version id, `unknown`, or `other` for versions folded together). */
export type VersionTotals = Record<string, Totals>;

export type TotalsJSON = Record<Mode, TallyJSON>;

/** How totals are saved: every version's together (what releases before versions read), and by version. */
export interface SavedTotals {
  totals: TotalsJSON;
  /** `[version label, last seen at, its totals]`; absent when saved before versions were kept. */
  versions?: Array<[string, number, TotalsJSON]>;
}

const MODES = ["normal", "degraded"] as const;

const toJSON = (t: Totals): TotalsJSON => ({ normal: tallyToJSON(t.normal), degraded: tallyToJSON(t.degraded) });
const fromJSON = (j: Partial<TotalsJSON> | undefined): Totals => ({
  normal: j?.normal ? tallyFromJSON(j.normal) : emptyTally(),
  degraded: j?.degraded ? tallyFromJSON(j.degraded) : emptyTally(),
});
const emptyTotals = (): Totals => ({ normal: emptyTally(), degraded: emptyTally() });
const copyAll = (v: VersionTotals): VersionTotals => Object.fromEntries(Object.entries(v).map(([k, t]) => [k, fromJSON(toJSON(t))]));
const isEmpty = (t: Tally) => Object.keys(t.counters).length === 0 && Object.keys(t.histograms).length === 0;

/** Every version's totals together. */
export function sumTotals(v: VersionTotals): Totals {
  const sum = emptyTotals();
  for (const t of Object.values(v)) for (const mode of MODES) mergeTally(sum[mode], t[mode]);
  return sum;
}

/** Saved totals by version: their `versions`, or (saved before versions were kept) all of them as `unknown`. */
function savedVersions(saved: SavedTotals): Array<[string, number, Totals]> {
  if (Array.isArray(saved.versions)) return saved.versions.map(([v, seen, t]) => [v === OTHER_VERSION ? v : versionLabel(v), Number(seen) || 0, fromJSON(t)]);
  const all = fromJSON(saved.totals);
  return isEmpty(all.normal) && isEmpty(all.degraded) ? [] : [[UNKNOWN_VERSION, 0, all]];
}

export class VersionBook {
  private readonly maxVersions: number;
  private live: VersionTotals = {};
  private persisted: VersionTotals = {};
  /** When each version in `live` was last seen (`other` is never folded). */
  private readonly seen = new Map<string, number>();

  constructor(maxVersions: number) {
    this.maxVersions = maxVersions;
  }

  /** Totals saved by `toJSON`, all of them persisted. */
  static fromJSON(saved: SavedTotals, maxVersions: number): VersionBook {
    const book = new VersionBook(maxVersions);
    for (const [version, seen, t] of savedVersions(saved)) {
      book.live[version] = t;
      if (version !== OTHER_VERSION) book.seen.set(version, seen);
    }
    book.persisted = copyAll(book.live);
    return book;
  }

  toJSON(): SavedTotals {
    const versions = Object.entries(this.live).map(([v, t]): [string, number, TotalsJSON] => [v, this.seen.get(v) ?? 0, toJSON(t)]);
    return { totals: toJSON(sumTotals(this.live)), versions };
  }

  /** A version's live totals, made when it is first seen at `now` (folding the least recently seen beyond the limit). */
  of(version: string, now: number): Totals {
    if (version !== OTHER_VERSION) this.seen.set(version, Math.max(now, this.seen.get(version) ?? 0));
    const known = this.live[version];
    if (known) return known;
    const made = (this.live[version] = emptyTotals());
    while (this.seen.size > this.maxVersions) {
      const [oldest] = [...this.seen].reduce((a, b) => (b[1] < a[1] ? b : a));
      this.fold(oldest);
    }
    return made;
  }

  /** A version's live totals if it is still kept apart, else `other`'s (where it was folded). */
  kept(version: string, now: number): Totals {
    return this.live[version] ?? this.of(OTHER_VERSION, now);
  }

  /** Every version's live totals together (never for /metrics). */
  liveSum(): Totals {
    return sumTotals(this.live);
  }

  /** The persisted totals by version (copies). */
  exposed(): VersionTotals {
    return copyAll(this.persisted);
  }

  /** Everything counted so far is durable. */
  persistAll(): void {
    this.persisted = copyAll(this.live);
  }

  /** Saved totals are durable; a version folded into `other` since they were taken stays folded. */
  persistSaved(saved: SavedTotals): void {
    for (const [version, , t] of savedVersions(saved)) {
      if (!(version in this.live)) continue;
      const p = this.persisted[version] ?? emptyTotals();
      this.persisted[version] = { normal: maxTally(p.normal, t.normal), degraded: maxTally(p.degraded, t.degraded) };
    }
  }

  /** Folds a version's totals, live and persisted, into `other`: the sum over versions is unchanged. */
  private fold(version: string): void {
    for (const side of [this.live, this.persisted]) {
      const t = side[version];
      if (!t) continue;
      const other = (side[OTHER_VERSION] ??= emptyTotals());
      for (const mode of MODES) mergeTally(other[mode], t[mode]);
      delete side[version];
    }
    this.seen.delete(version);
  }
}
