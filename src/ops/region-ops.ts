// A region's ops state, as the RegionOpsDO keeps it, without the Durable Object: the rollup,
// the region's degraded state (derived from its replies), the gap clusters, the alerts and
// the webhook outbox. The DO feeds it batches and a clock, saves `changes()` and calls
// `minute()` on its alarm, then `publish()` with the notices once self-repair has annotated
// them (src/ops/self-repair.ts); this class decides everything else, so it is tested with a
// fake clock.
import type { Aggregate, Filter } from "./aggregate.ts";
import { Outbox, type OutboxEntry } from "./alert-delivery.ts";
import type { AlertRule } from "./alert-rules.ts";
import { evaluate, type Alert, type Notice } from "./alerts.ts";
import type { SignalSource } from "./likely-cause.ts";
import type { OperatorReadStats } from "./operator-reads.ts";
import { DegradedState } from "./degraded-state.ts";
import type { OpsBatch } from "./event-batch.ts";
import { asHashedId, type DegradedChangeEvent, type OpsEvent } from "./events.ts";
import { GAP_REASONS, GapClusters, type GapQuestion, type GapsJSON } from "./gaps.ts";
import type { RegionGaps } from "./gap-merge.ts";
import { EVENT_ID, RecentIds } from "./recent-ids.ts";
import { opsJurisdictionOf } from "./residency.ts";
import { Rollup, type MetricsView, type RollupChanges, type RollupSnapshot, type Steps, type Window, type WindowSpec } from "./rollup.ts";
import { ruleRunbook } from "./runbooks.ts";
import type { Region } from "../edge/regions.ts";

export interface AlertLog {
  open: Alert[];
  /** Resolved alerts, most recent first. */
  recent: Alert[];
}

/** What a region starts from (null rollup: nothing saved yet). */
export interface SavedOps {
  rollup: RollupSnapshot | null;
  gaps: GapsJSON;
  drafts: Record<string, string>;
  alerts: AlertLog;
  outbox: OutboxEntry[];
}

/** Gaps changed (to upsert) and gone (to delete) since the last save. */
export interface GapChanges {
  gaps: GapsJSON;
  deletedGaps: string[];
}

/** What a save writes: the rollup's changes, gaps changed and gone, and the small values. */
export interface OpsChanges extends GapChanges {
  rollup: RollupChanges;
  drafts: Record<string, string>;
  alerts: AlertLog;
  outbox: OutboxEntry[];
}

export interface RegionOpsOptions {
  rules: readonly AlertRule[];
  /** Whether notices go to the webhook outbox (a webhook is configured). */
  webhook: boolean;
  /** Resolved alerts listed: at most this many, for at most this long. */
  maxRecent: number;
  recentMs: number;
  /** Events and gap questions taken from one batch at most. */
  maxBatch: number;
  /** The alarm keeps running this long after the last event (then only open work keeps it). */
  idleAfterMs: number;
}

/** What `ingest` did with a batch. */
export interface Ingested {
  /** The events counted (repeats and malformed ones left out): what the DO logs. */
  counted: OpsEvent[];
  /** degraded_change events the region's replies implied (recorded; the caller writes them to Analytics Engine). */
  derived: DegradedChangeEvent[];
  /** A gap question was added (the DO saves gaps at once). */
  gapsChanged: boolean;
}

export const EMPTY_SAVE: SavedOps = { rollup: null, gaps: [], drafts: {}, alerts: { open: [], recent: [] }, outbox: [] };

const MINUTE = 60_000;
const DEFAULTS: Omit<RegionOpsOptions, "rules" | "webhook"> = { maxRecent: 50, recentMs: 24 * 60 * MINUTE, maxBatch: 2_000, idleAfterMs: 15 * MINUTE };

const validGap = (q: GapQuestion) =>
  typeof q?.text === "string" &&
  typeof q.language === "string" &&
  GAP_REASONS.includes(q.reason) &&
  Number.isFinite(q.at) &&
  (q.id === undefined || (typeof q.id === "string" && EVENT_ID.test(q.id))) &&
  (q.conversation === undefined || (typeof q.conversation === "string" && asHashedId(q.conversation) !== null)) &&
  (q.eu === undefined || typeof q.eu === "boolean");

/** An alert as stored before alerts carried a runbook, a likely cause and remediation, brought up to date. */
function withAnnotations(a: Alert, rules: readonly AlertRule[]): Alert {
  const runbook = a.runbook ?? rules.find((r) => r.id === a.ruleId)?.runbook ?? ruleRunbook(a.ruleId);
  return { ...a, subject: a.subject ?? null, runbook, likelyCause: a.likelyCause ?? null, remediation: a.remediation ?? [] };
}

export class RegionOps {
  readonly region: Region;
  private readonly options: RegionOpsOptions;
  private readonly rollup: Rollup;
  private readonly clusters: GapClusters;
  private readonly degraded: DegradedState;
  private readonly drafts: Map<string, string>;
  private readonly outbox: Outbox;
  private log: AlertLog;
  private readonly dirtyGaps = new Set<string>();
  /** Event ids counted lately: a batch sent again counts nothing twice. */
  private readonly seen = new RecentIds();
  /** Conversations erased lately (digests): their questions still in flight are dropped. */
  private readonly erased = new RecentIds({ maxIds: 10_000 });
  private persistedGaps: Set<string>;
  private lastEventAt = 0;
  private lastEvaluatedAt = 0;

  constructor(region: Region, saved: SavedOps, options: Partial<RegionOpsOptions> & Pick<RegionOpsOptions, "rules" | "webhook">) {
    this.region = region;
    this.options = { ...DEFAULTS, ...options };
    this.rollup = saved.rollup ? Rollup.fromSnapshot({ ...saved.rollup, region }) : new Rollup({ region });
    this.clusters = GapClusters.fromJSON(saved.gaps, {}, opsJurisdictionOf(region) === "eu");
    this.persistedGaps = new Set(saved.gaps.map((g) => g.id));
    this.drafts = new Map(Object.entries(saved.drafts ?? {}));
    const known = (a: Alert) => withAnnotations(a, this.options.rules);
    this.log = { open: (saved.alerts?.open ?? []).map(known), recent: (saved.alerts?.recent ?? []).map(known) };
    this.outbox = new Outbox(saved.outbox ?? []);
    const gauges = this.rollup.current(0);
    this.degraded = new DegradedState({ degraded: gauges.degraded, reason: gauges.degradedReason });
  }

  /**
   * Records a batch received at `now`: its events (each id once: a batch sent again counts
   * nothing twice), gap questions and breaker states. The DO logs `counted` before it
   * answers, then calls `logged()`.
   */
  ingest(batch: OpsBatch, now: number): Ingested {
    const result: Ingested = { counted: [], derived: [], gapsChanged: false };
    this.count((batch.events ?? []).slice(0, this.options.maxBatch), now, result);
    for (const q of (batch.gaps ?? []).slice(0, this.options.maxBatch)) {
      if (!validGap(q) || (q.id !== undefined && this.seen.has(q.id)) || (q.conversation !== undefined && this.erased.has(q.conversation))) continue;
      if (q.id !== undefined) this.seen.add(q.id, now);
      const { id: _id, ...question } = q;
      const gap = this.clusters.add({ ...question, at: Math.min(q.at, now) });
      if (gap) this.dirtyGaps.add(gap);
      result.gapsChanged ||= gap !== null;
    }
    if (batch.breakers && typeof batch.breakers === "object") this.rollup.setBreakers(batch.breakers);
    return result;
  }

  /**
   * After a restart: events the DO logged at `receivedAt` and had not saved yet are counted
   * again (`folded` false), as they were then; those it had saved only mark their ids seen.
   */
  replay(events: readonly OpsEvent[], receivedAt: number, folded: boolean): void {
    if (!folded) return void this.count(events, receivedAt, { counted: [], derived: [], gapsChanged: false });
    for (const e of events) if (typeof e?.id === "string") this.seen.add(e.id, receivedAt);
  }

  /**
   * Erasure of a conversation (by its digest): its gap examples go, and its questions still
   * on their way are dropped when they come. Whether a gap changed (the DO saves at once).
   */
  forgetConversation(conversation: string, now: number): boolean {
    this.erased.add(conversation, now);
    const { changed, removed } = this.clusters.forget(conversation);
    for (const id of changed) this.dirtyGaps.add(id);
    for (const id of removed) {
      this.dirtyGaps.delete(id);
      this.drafts.delete(id);
    }
    return changed.length + removed.length > 0;
  }

  /** Everything counted so far is durable (logged or saved): /metrics may show it. */
  logged(): void {
    this.rollup.markAllPersisted();
  }

  private count(events: readonly OpsEvent[], now: number, into: Ingested): void {
    for (const event of events) {
      const id = typeof event?.id === "string" ? event.id : null;
      if (id !== null && this.seen.has(id)) continue;
      if (!this.rollup.record(event, now)) continue;
      if (id !== null) this.seen.add(id, now);
      into.counted.push(event);
      this.lastEventAt = Math.max(this.lastEventAt, now);
      if (event.type !== "turn") continue;
      const change = this.degraded.observe(event.mode, event.degradedReason);
      if (!change) continue;
      // The version whose reply tipped the region over (Analytics Engine's version column).
      const e: DegradedChangeEvent = { type: "degraded_change", at: Math.min(event.at, now), region: this.region, colo: event.colo, jurisdiction: null, version: event.version, degraded: change.degraded, reason: change.reason };
      this.rollup.record(e, now);
      into.derived.push(e);
    }
  }

  /**
   * The alarm's work for `now`: SLA ticks and gauge samples, gap expiry, alert evaluation
   * (about once a minute). The notices go out with `publish`, after self-repair.
   */
  minute(now: number): Notice[] {
    this.rollup.tick(now);
    this.clusters.prune(now);
    if (now - this.lastEvaluatedAt < MINUTE - 10_000) return [];
    this.lastEvaluatedAt = now;
    const { open, notices } = evaluate(this.options.rules, this.rollup, this.log.open, now);
    const resolved = notices.filter((n) => n.kind === "resolved").map((n) => n.alert);
    this.log = { open, recent: [...resolved, ...this.log.recent].filter((a) => now - (a.resolvedAt ?? now) <= this.options.recentMs).slice(0, this.options.maxRecent) };
    return notices;
  }

  /**
   * Stores the notices' alerts and `updated` open ones as annotated (likely cause,
   * remediation) in place of what evaluation left, and queues the notices for the webhook.
   */
  publish(notices: readonly Notice[], updated: readonly Alert[], now: number): void {
    const byId = new Map([...notices.map((n) => n.alert), ...updated].map((a) => [a.id, a]));
    const swap = (a: Alert) => byId.get(a.id) ?? a;
    this.log = { open: this.log.open.map(swap), recent: this.log.recent.map(swap) };
    if (this.options.webhook) for (const n of notices) this.outbox.enqueue(n, now);
  }

  /** Each operator's distinct transcript reads in the last `windowMs` and their median day (the reads rule's input). */
  operatorReads(windowMs: number, historyDays: number, now: number): OperatorReadStats[] {
    return this.rollup.operatorReads(windowMs, historyDays, now);
  }

  /** What self-repair reads the region's signals from. */
  signals(): SignalSource {
    return this.rollup;
  }

  /** What to save now; call `saved()` with it once it is durable. */
  changes(now: number): OpsChanges {
    const gaps = this.gapChanges();
    for (const id of [...this.drafts.keys()]) if (!this.clusters.has(id)) this.drafts.delete(id);
    return { rollup: this.rollup.takeChanges(now), ...gaps, drafts: Object.fromEntries(this.drafts), alerts: this.log, outbox: this.outbox.toJSON() };
  }

  /** The gaps changed and gone since the last save (saved alone when a batch brings questions). */
  gapChanges(): GapChanges {
    const all = this.clusters.toJSON();
    const current = new Set(all.map((g) => g.id));
    return { gaps: all.filter((g) => this.dirtyGaps.has(g.id) || !this.persistedGaps.has(g.id)), deletedGaps: [...this.persistedGaps].filter((id) => !current.has(id)) };
  }

  /** The changes are durable: their totals may be exposed, their gaps are the stored ones. */
  saved(c: OpsChanges): void {
    this.rollup.markPersisted(c.rollup.head);
    this.gapsSaved(c);
  }

  /** The gap changes are durable. */
  gapsSaved(c: GapChanges): void {
    for (const g of c.gaps) {
      this.persistedGaps.add(g.id);
      this.dirtyGaps.delete(g.id);
    }
    for (const id of c.deletedGaps) this.persistedGaps.delete(id);
  }

  /** The outbox as saved (after deliveries, saved on its own). */
  outboxJSON(): OutboxEntry[] {
    return this.outbox.toJSON();
  }

  /** Notices due for delivery at `now`, oldest first. */
  due(now: number, max = 10): OutboxEntry[] {
    return this.outbox.due(now).slice(0, max);
  }

  delivered(id: string): void {
    this.outbox.delivered(id);
  }

  failed(id: string, now: number): "retry" | "dropped" | "unknown" {
    return this.outbox.failed(id, now);
  }

  /**
   * When the alarm should next run: the next minute (plus a second) while there was recent
   * traffic, an open alert or a waiting handoff, and sooner for a webhook retry; null when idle.
   */
  nextWakeAt(now: number): number | null {
    const retry = this.outbox.nextDueAt();
    const busy = now - this.lastEventAt < this.options.idleAfterMs || this.log.open.length > 0 || this.rollup.current(now).queueDepth > 0;
    const minute = busy ? Math.floor(now / MINUTE) * MINUTE + MINUTE + 1_000 : null;
    if (retry === null) return minute;
    return minute === null ? Math.max(retry, now) : Math.max(now, Math.min(retry, minute));
  }

  query(window: WindowSpec, now: number, filter?: Filter): Aggregate {
    return this.rollup.query(window, now, filter);
  }

  steps(window: Window, now: number, stepMs?: number, filter?: Filter): Steps {
    return this.rollup.steps(window, now, stepMs, filter);
  }

  metricsView(now: number): MetricsView {
    return this.rollup.metricsView(now);
  }

  alerts(): AlertLog {
    return { open: [...this.log.open], recent: [...this.log.recent] };
  }

  /** The region's gaps (with profiles, for merging), of a language and seen since a time. */
  gaps(filter: { language?: string; since?: number }): RegionGaps {
    const gaps = this.clusters.toJSON().filter((g) => (filter.language === undefined || g.language === filter.language) && (filter.since === undefined || g.lastSeen >= filter.since));
    return { region: this.region, gaps, drafts: Object.fromEntries([...this.drafts].filter(([id]) => gaps.some((g) => g.id === id))) };
  }

  /** A draft article was made from these gaps. */
  markDraft(gapIds: readonly string[], articleId: string): void {
    for (const id of gapIds) if (this.clusters.get(id)) this.drafts.set(id, articleId);
  }

  /** An article answering these gaps was published: they close. Returns how many closed. */
  closeGaps(gapIds: readonly string[]): number {
    let closed = 0;
    for (const id of gapIds) {
      if (this.clusters.remove(id)) closed++;
      this.drafts.delete(id);
      this.dirtyGaps.delete(id);
    }
    return closed;
  }
}
