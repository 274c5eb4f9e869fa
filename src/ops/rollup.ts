// A region's rolling ops data in bounded memory: per-minute buckets for 24 hours (a ring of
// 1440) and hourly buckets for 7 days (a ring of 168), each holding tallies per label set
// (capped; the rest go to `other`) and gauge maxima; cumulative totals for /metrics; the
// handoff queue; the last conversation of recent customers (for recontacts); and each
// operator's transcript reads (src/ops/operator-reads.ts, for the unusual-reads alert).
//
// A conversation's rating counts once: a rating that replaces an earlier one takes that one
// out of the minute and hour it was counted in, and is counted where it is made.
//
// Monotonic totals: /metrics exposes only totals the DO has confirmed durable (a saved
// snapshot, `markPersisted`, or events it logged, `markAllPersisted`), and a restore starts
// from what is durable, so an exposed counter never exceeds what a restart restores. Totals
// are kept per Worker version (the last few seen; older ones are folded into `other`, so the
// sum over versions never goes down), for /metrics to compare a gradual deployment's versions.
import type { DegradedReason } from "../answer/degraded.ts";
import type { BreakerState } from "../resilience/breaker.ts";
import type { Region } from "../edge/regions.ts";
import { emptyAggregate, addTally, matches, maxGauge, type Aggregate, type Filter, type GaugeName } from "./aggregate.ts";
import type { HashedId, OpsEvent, ReplacedRating, Resolution } from "./events.ts";
import { isValidEvent, resolutionOf } from "./events.ts";
import { DEFAULT_QUEUE, HandoffQueue, type QueueOptions } from "./handoff-queue.ts";
import { OperatorReads, type OperatorReadsJSON, type OperatorReadStats } from "./operator-reads.ts";
import { seriesOf, type MetricName, type Series, type Steps } from "./metrics.ts";
import { RollupStore, type BucketJSON, type Window, type WindowSpec } from "./rollup-store.ts";
import { add, emptyTally, labelKey, labelsOf, mergeTally, parseLabelKey, tallyEvent, untallyRating, type Tally } from "./tally.ts";
import { sumTotals, VersionBook, type SavedTotals, type Totals, type VersionTotals } from "./version-totals.ts";

export { WINDOWS, type BucketJSON, type Window, type WindowSpec } from "./rollup-store.ts";

export interface RollupOptions {
  region: Region;
  /** Distinct label sets per bucket; events of further ones are counted under `other`. */
  maxLabelSets: number;
  queue: QueueOptions;
  /** A customer back this soon after a resolved conversation makes a recontact. */
  recontactWindowMs: number;
  /** Customers remembered for recontacts (the least recent are forgotten first). */
  maxCustomers: number;
  /** Worker versions whose totals are kept apart; the least recently seen beyond it are folded into `other`. */
  maxVersions: number;
}

/**
 * 48 label sets: mode × language × KB version, twice over while a gradual deployment runs two
 * Worker versions. 4 versions: the two of a deployment, the one before, and events of none.
 */
export const DEFAULT_ROLLUP: Omit<RollupOptions, "region"> = { maxLabelSets: 48, queue: DEFAULT_QUEUE, recontactWindowMs: 24 * 3_600_000, maxCustomers: 5_000, maxVersions: 4 };

/** Gauges as last set. */
export interface GaugeState {
  replicaLagSeconds: number | null;
  degraded: boolean;
  degradedReason: DegradedReason | null;
  /** Breaker name → 1 when not closed. */
  breakers: Record<string, 0 | 1>;
}

export interface CurrentGauges extends GaugeState {
  queueDepth: number;
  oldestWaitSeconds: number;
}

export type { Totals, VersionTotals } from "./version-totals.ts";

/** Everything but the buckets: small, persisted with every save (totals: all versions together, and by version). */
export interface RollupHead extends SavedTotals {
  v: 1;
  region: Region;
  savedAt: number;
  gauges: GaugeState;
  queue: ReturnType<HandoffQueue["toJSON"]>;
  /** `[customer, last conversation ended at, resolved 0|1]`. */
  customers: Array<[string, number, 0 | 1]>;
  /** Transcript reads per operator (absent in heads saved before they were kept). */
  reads?: OperatorReadsJSON;
}

export interface RollupSnapshot extends RollupHead {
  minutes: BucketJSON[];
  hours: BucketJSON[];
}

/** What changed since the last `takeChanges`: save the head and these buckets, delete older ones. */
export interface RollupChanges {
  head: RollupHead;
  minutes: BucketJSON[];
  hours: BucketJSON[];
  /** Buckets starting before these are expired. */
  keepMinutesFrom: number;
  keepHoursFrom: number;
}

/** What /metrics shows for a region: persisted totals and current gauges. */
export interface MetricsView {
  region: Region;
  /** Every version's totals together. */
  totals: Totals;
  gauges: CurrentGauges;
  /** The totals by Worker version; absent from objects of releases before versions (all `unknown`). */
  byVersion?: VersionTotals;
}

export type { Series, Steps } from "./metrics.ts";

const MAX_BREAKERS = 16;
const BREAKER_NAME = /^[a-z0-9:_-]{1,64}$/;
const DEFAULT_STEP: Record<Window, number> = { "1h": 60_000, "24h": 15 * 60_000, "7d": 3_600_000 };

export class Rollup {
  readonly region: Region;
  private readonly options: RollupOptions;
  private readonly store: RollupStore;
  private totals: VersionBook;
  private gauges: GaugeState = { replicaLagSeconds: null, degraded: false, degradedReason: null, breakers: {} };
  private queue: HandoffQueue;
  private reads = new OperatorReads();
  private readonly customers = new Map<string, { endedAt: number; resolved: boolean }>();

  constructor(options: Partial<RollupOptions> & { region: Region }) {
    this.options = { ...DEFAULT_ROLLUP, ...options };
    this.region = options.region;
    this.store = new RollupStore(this.options.maxLabelSets);
    this.totals = new VersionBook(this.options.maxVersions);
    this.queue = new HandoffQueue(this.options.queue);
  }

  /** Records an event received at `now` (a later `event.at` is taken as now); false if it was malformed and ignored. */
  record(event: OpsEvent, now: number): boolean {
    if (!isValidEvent(event)) return false;
    const at = Math.min(event.at, now);
    if (event.type === "degraded_change") {
      this.gauges.degraded = event.degraded;
      this.gauges.degradedReason = event.degraded ? event.reason : null;
      this.store.gauge(at, now, "degraded", event.degraded ? 1 : 0);
      return true;
    }
    if (event.type === "transcript_read") {
      this.reads.add(event.operator, event.conversations, at);
      return true;
    }
    const key = labelKey(labelsOf(event));
    if (event.type === "rating" && event.replaces) this.unrate(event.replaces, now);
    this.bump(at, now, key, (t) => tallyEvent(t, event));
    switch (event.type) {
      case "turn":
        if (event.replicaLagSeconds !== null) this.setReplicaLag(event.replicaLagSeconds, at, now);
        break;
      case "handoff":
        this.queue.handoff(event.conversation, at, key);
        this.sampleQueue(now);
        break;
      case "agent_reply":
        if (event.firstResponseMs !== null) {
          const breach = this.queue.answered(event.conversation, event.firstResponseMs, key);
          if (breach) this.bump(at, now, breach, (t) => add(t, "sla_breaches"));
        }
        break;
      case "conversation_end":
        this.queue.ended(event.conversation);
        if (event.customer && event.turns >= 1) this.recontact(event.customer, event.startedAt, at, resolutionOf(event), now, key);
        break;
    }
    return true;
  }

  /** The answering replica's lag, from a turn or from the replica itself. */
  setReplicaLag(seconds: number, at: number, now: number): void {
    if (!Number.isFinite(seconds)) return;
    this.gauges.replicaLagSeconds = Math.max(0, seconds);
    this.store.gauge(at, now, "replica_lag_seconds", this.gauges.replicaLagSeconds);
  }

  /** Current breaker states (e.g. from a turn's reply metadata); a breaker not closed counts as open. */
  setBreakers(states: Record<string, BreakerState>): void {
    for (const [name, state] of Object.entries(states)) {
      if (!BREAKER_NAME.test(name)) continue;
      if (!(name in this.gauges.breakers) && Object.keys(this.gauges.breakers).length >= MAX_BREAKERS) continue;
      this.gauges.breakers[name] = state === "closed" ? 0 : 1;
    }
  }

  /** Called on each alarm (about once a minute): SLA breaches of waiting handoffs, gauge samples, expiry. */
  tick(now: number): void {
    for (const key of this.queue.tick(now)) this.bump(now, now, key, (t) => add(t, "sla_breaches"));
    this.sampleQueue(now);
    this.store.gauge(now, now, "degraded", this.gauges.degraded ? 1 : 0);
    if (this.gauges.replicaLagSeconds !== null) this.store.gauge(now, now, "replica_lag_seconds", this.gauges.replicaLagSeconds);
    for (const [c, last] of this.customers) if (now - last.endedAt > this.options.recontactWindowMs) this.customers.delete(c);
  }

  /** The window ending with the minute (hour for 7d) that contains `now`, filtered by labels. */
  query(window: WindowSpec, now: number, filter?: Filter): Aggregate {
    const range = this.store.range(window, now);
    const agg = emptyAggregate(this.region, range.from, range.to);
    for (const bucket of this.store.buckets(range)) {
      for (const [key, t] of bucket.tallies) if (matches(key, filter)) addTally(agg, key, t);
      for (const [name, v] of Object.entries(bucket.gauges) as Array<[GaugeName, number]>) maxGauge(agg.gauges, name, v);
    }
    return agg;
  }

  /**
   * A window cut into steps (rounded up to the bucket size; 1 min, 15 min, 1 h by default),
   * each step's tallies merged: what seriesOf turns into a chart, for one region or several.
   */
  steps(window: Window, now: number, stepMs?: number, filter?: Filter): Steps {
    const range = this.store.range(window, now);
    const step = Math.max(range.res, Math.ceil((stepMs ?? DEFAULT_STEP[window]) / range.res) * range.res);
    const slots: Steps["slots"] = [];
    for (let t = range.from; t < range.to; t += step) {
      const tally = emptyTally();
      const gauges: Aggregate["gauges"] = {};
      for (const bucket of this.store.buckets({ ...range, from: t, to: Math.min(t + step, range.to) })) {
        for (const [key, b] of bucket.tallies) if (matches(key, filter)) mergeTally(tally, b);
        for (const [name, v] of Object.entries(bucket.gauges) as Array<[GaugeName, number]>) maxGauge(gauges, name, v);
      }
      slots.push({ t, tally, gauges });
    }
    return { step, slots };
  }

  /** A metric per step over a window, for this region. */
  series(metric: MetricName, window: Window, now: number, stepMs?: number, filter?: Filter): Series {
    return seriesOf(metric, [this.steps(window, now, stepMs, filter)]);
  }

  /** Each operator's distinct transcript reads in the last `windowMs`, and their median day over `historyDays`. */
  operatorReads(windowMs: number, historyDays: number, now: number): OperatorReadStats[] {
    return this.reads.stats(now, windowMs, historyDays);
  }

  current(now: number): CurrentGauges {
    return { ...this.gauges, breakers: { ...this.gauges.breakers }, queueDepth: this.queue.depth, oldestWaitSeconds: this.queue.oldestWaitSeconds(now) };
  }

  /** Totals including what is not persisted yet (for tests and the live view, never for /metrics). */
  liveTotals(): Totals {
    return this.totals.liveSum();
  }

  /** What /metrics may show: the last persisted totals (together and by version) and the current gauges. */
  metricsView(now: number): MetricsView {
    const byVersion = this.totals.exposed();
    return { region: this.region, totals: sumTotals(byVersion), gauges: this.current(now), byVersion };
  }

  /** Everything recorded so far is durable (the DO logged it): the current totals may be exposed. */
  markAllPersisted(): void {
    this.totals.persistAll();
  }

  /**
   * The DO saved a snapshot or changes taken from this rollup: their totals may now be
   * exposed. A version folded into `other` since that save stays folded.
   */
  markPersisted(saved: SavedTotals): void {
    this.totals.persistSaved(saved);
  }

  head(now: number): RollupHead {
    const customers = [...this.customers].map(([c, l]): [string, number, 0 | 1] => [c, l.endedAt, l.resolved ? 1 : 0]);
    return { v: 1, region: this.region, savedAt: now, ...this.totals.toJSON(), gauges: { ...this.gauges, breakers: { ...this.gauges.breakers } }, queue: this.queue.toJSON(), customers, reads: this.reads.toJSON() };
  }

  /** The whole state as compact JSON (expired buckets left out). */
  toSnapshot(now: number): RollupSnapshot {
    return { ...this.head(now), ...this.store.toJSON(now) };
  }

  /** The head and the buckets changed since the last call, for incremental saving. */
  takeChanges(now: number): RollupChanges {
    return { head: this.head(now), ...this.store.takeDirty(now) };
  }

  /** A rollup from a snapshot; its persisted totals are the snapshot's. */
  static fromSnapshot(s: RollupSnapshot, options: Partial<Omit<RollupOptions, "region">> = {}): Rollup {
    const r = new Rollup({ ...options, region: s.region });
    r.totals = VersionBook.fromJSON(s, r.options.maxVersions);
    r.gauges = { replicaLagSeconds: s.gauges?.replicaLagSeconds ?? null, degraded: s.gauges?.degraded === true, degradedReason: s.gauges?.degradedReason ?? null, breakers: { ...(s.gauges?.breakers ?? {}) } };
    r.queue = HandoffQueue.fromJSON(s.queue, r.options.queue);
    r.reads = OperatorReads.fromJSON(s.reads);
    for (const [c, endedAt, resolved] of (s.customers ?? []).slice(-r.options.maxCustomers)) r.customers.set(c, { endedAt, resolved: resolved === 1 });
    r.store.load(s.minutes ?? [], s.hours ?? []);
    return r;
  }

  /** Applies a change to the minute and hour tallies of `key` at `at`, and to its version's totals. */
  private bump(at: number, now: number, key: string, change: (t: Tally) => void): void {
    for (const t of this.store.tallies(at, now, key)) change(t);
    const { mode, version } = parseLabelKey(key);
    change(this.totals.of(version, now)[mode === "degraded" ? "degraded" : "normal"]);
  }

  /**
   * Takes a replaced rating out of the minute and hour it was counted in, if they are still
   * kept (and it reached them); the totals, which only grow, count it as replaced instead.
   */
  private unrate(old: ReplacedRating, now: number): void {
    const labels = labelsOf(old);
    for (const t of this.store.counted(Math.min(old.at, now), now, labelKey(labels))) untallyRating(t, old.score);
    // Counted where the replaced rating was: its version's totals, or `other` if that was folded.
    add(this.totals.kept(labels.version, now)[old.mode === "degraded" ? "degraded" : "normal"], `rating_replaced:${old.score}`);
  }

  private sampleQueue(now: number): void {
    this.store.gauge(now, now, "handoff_queue_depth", this.queue.depth);
    this.store.gauge(now, now, "handoff_oldest_wait_seconds", this.queue.oldestWaitSeconds(now));
  }

  private recontact(customer: HashedId, startedAt: number, endedAt: number, resolution: Resolution, now: number, key: string): void {
    const prev = this.customers.get(customer);
    if (prev?.resolved && startedAt - prev.endedAt <= this.options.recontactWindowMs) this.bump(endedAt, now, key, (t) => add(t, "recontacts"));
    this.customers.delete(customer);
    this.customers.set(customer, { endedAt, resolved: resolution !== "unresolved" });
    while (this.customers.size > this.options.maxCustomers) this.customers.delete(this.customers.keys().next().value!);
  }
}
