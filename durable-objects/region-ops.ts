// RegionOpsDO: one per region. Glue only: it keeps the region's ops state (src/ops/region-ops.ts)
// in memory, receives event batches from every isolate of the region, saves incrementally on
// a once-a-minute alarm (which also evaluates the alerts, runs self-repair on them —
// src/ops/self-repair.ts, through src/platform/remediation.ts — and delivers their notices),
// and answers the ops API's reads. Each batch's counted events are logged (one row) before the
// batch is answered, and replayed after an eviction or a crash, so what was counted — and
// shown at /metrics at once — is never lost and a restart never takes a counter backwards;
// the minute's save folds the log into the rollup. Gap questions are saved as they come.
import { DurableObject } from "cloudflare:workers";
import { regionOpsMigrations } from "../migrations/region-ops/index.ts";
import { readConfig, type Config } from "../src/config.ts";
import { isRegion, type Region } from "../src/edge/regions.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import type { Aggregate, Filter } from "../src/ops/aggregate.ts";
import { parseAlertRules, type AlertRule } from "../src/ops/alert-rules.ts";
import type { OpsBatch } from "../src/ops/event-batch.ts";
import type { Notice } from "../src/ops/alerts.ts";
import type { RegionGaps } from "../src/ops/gap-merge.ts";
import { RegionOps, type AlertLog } from "../src/ops/region-ops.ts";
import { selfRepair } from "../src/ops/self-repair.ts";
import { repairPorts } from "../src/platform/remediation.ts";
import type { MetricsView, Steps, Window, WindowSpec } from "../src/ops/rollup.ts";
import { writeAnalytics } from "../src/platform/events.ts";
import { postAlert, webhookTarget, type WebhookTarget } from "../src/platform/webhook.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { RegionOpsStore } from "./region-ops-store.ts";

/** Moves a batch's times by the test clock's offset (development only). */
function shifted(batch: OpsBatch, offsetMs: number): OpsBatch {
  if (!offsetMs) return batch;
  return { ...batch, events: (batch.events ?? []).map((e) => ({ ...e, at: e.at + offsetMs })), gaps: (batch.gaps ?? []).map((q) => ({ ...q, at: q.at + offsetMs })) };
}

/** Saved log rows are kept this long for their event ids: a sender retries well within it. */
const LOG_KEEP_MS = 2 * 60_000;

export class RegionOpsDO extends DurableObject<Env> {
  private readonly store: RegionOpsStore;
  private readonly config: Config;
  private readonly rules: AlertRule[];
  private readonly webhook: WebhookTarget | null;
  private ops: RegionOps | null = null;
  /** The alarm as set (real epoch ms), null when none. */
  private alarmAt: number | null = null;
  /** Development only: this object's clock runs this far ahead of the real one (tests). */
  private offsetMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, regionOpsMigrations);
    this.store = new RegionOpsStore(ctx.storage);
    this.config = readConfig(env);
    const { rules, errors } = parseAlertRules(this.config.ops.alertRules);
    // Rule ids and field names only: ALERT_RULES is configuration, never customer data.
    if (errors.length) console.warn(JSON.stringify({ level: "warn", code: "alert_rules_invalid", errors }));
    this.rules = rules;
    this.webhook = webhookTarget(this.config);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Records a batch of the region's events and gap questions; durable once this returns. */
  ingest(region: Region, batch: OpsBatch): void {
    const ops = this.state(region);
    if (!ops) return;
    const now = this.now();
    const result = ops.ingest(shifted(batch, this.offsetMs), now);
    if (result.counted.length) this.store.logEvents(ops.region, now, result.counted);
    ops.logged();
    if (result.gapsChanged) this.saveGaps(ops);
    for (const change of result.derived) writeAnalytics(this.env, change);
    if (this.alarmAt === null) this.schedule(ops);
  }

  query(region: Region, window: WindowSpec, filter?: Filter): Aggregate | null {
    return this.state(region)?.query(window, this.now(), filter) ?? null;
  }

  steps(region: Region, window: Window, stepMs?: number, filter?: Filter): Steps | null {
    return this.state(region)?.steps(window, this.now(), stepMs, filter) ?? null;
  }

  /** Saved totals and current gauges, for /metrics. */
  metricsView(region: Region): MetricsView | null {
    return this.state(region)?.metricsView(this.now()) ?? null;
  }

  alerts(region: Region): AlertLog {
    return this.state(region)?.alerts() ?? { open: [], recent: [] };
  }

  gaps(region: Region, filter: { language?: string; since?: number }): RegionGaps {
    return this.state(region)?.gaps(filter) ?? { region, gaps: [], drafts: {} };
  }

  /** Erasure: the gap examples of the conversation with this digest go (saved at once). */
  forgetConversation(region: Region, conversation: string): void {
    const ops = this.state(region);
    if (ops?.forgetConversation(conversation, this.now())) this.saveGaps(ops);
  }

  /** A draft article was made from these gaps (saved at once: editors act rarely). */
  markDraft(region: Region, gapIds: string[], articleId: string): void {
    const ops = this.state(region);
    if (!ops) return;
    ops.markDraft(gapIds, articleId);
    this.save(ops);
  }

  /** The article answering these gaps was published: they close (saved at once). */
  closeGaps(region: Region, gapIds: string[]): number {
    const ops = this.state(region);
    if (!ops) return 0;
    const closed = ops.closeGaps(gapIds);
    this.save(ops);
    return closed;
  }

  /**
   * Development only (tests of alerts): moves this object's clock `offsetMs` ahead of real
   * time, for events received from now on and for its alarm. The offset only grows.
   */
  async shiftClockForTests(offsetMs: number): Promise<Outcome<number>> {
    if (!this.config.devMode) return fail("not_found");
    if (!Number.isFinite(offsetMs) || offsetMs < this.offsetMs) return fail("validation_failed");
    this.offsetMs = offsetMs;
    if (this.ops) await this.setAlarm(this.ops, true);
    return ok(this.now());
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const ops = this.ops ?? this.restore(null);
    if (!ops) return;
    const now = this.now();
    await this.repair(ops, ops.minute(now), now);
    this.save(ops);
    if (this.webhook) await this.deliver(ops, this.webhook);
    await this.setAlarm(ops, false);
  }

  private now(): number {
    return Date.now() + this.offsetMs;
  }

  /** The region's state, loaded on first use; null for a name that is not a region. */
  private state(region: Region): RegionOps | null {
    if (!isRegion(region)) return null;
    return this.ops ?? this.restore(region);
  }

  /**
   * The saved state with the logged batches not saved yet counted again (and the ids of
   * those saved lately remembered). After an eviction the alarm comes without a region:
   * the saved state or the log names it.
   */
  private restore(region: Region | null): RegionOps | null {
    const saved = this.store.load();
    const log = this.store.eventLog();
    const name = region ?? saved.rollup?.region ?? log.region;
    if (!name || !isRegion(name)) return null;
    const ops = new RegionOps(name, saved, { rules: this.rules, webhook: this.webhook !== null });
    for (const batch of log.batches) ops.replay(batch.events, batch.receivedAt, batch.saved);
    ops.logged();
    this.ops = ops;
    return ops;
  }

  private save(ops: RegionOps): void {
    const changes = ops.changes(this.now());
    this.store.save(changes, this.now() - LOG_KEEP_MS);
    ops.saved(changes);
  }

  private saveGaps(ops: RegionOps): void {
    const changes = ops.gapChanges();
    this.store.saveGaps(changes);
    ops.gapsSaved(changes);
  }

  /** Self-repair on the notices (and on open alerts due for another look); then the notices are published. */
  private async repair(ops: RegionOps, notices: Notice[], now: number): Promise<void> {
    const region = ops.region;
    const input = { notices, open: ops.alerts().open.filter((a) => a.region === region), rules: this.rules, source: ops.signals(), mode: this.config.ops.autoRemediation(region), shards: this.config.replicaShards(region), isRegion, now };
    const repaired = await selfRepair(input, repairPorts(this.env, this.config, region, () => this.now())).catch((err: unknown) => {
      console.error(JSON.stringify({ level: "error", code: "self_repair_failed", region, kind: err instanceof Error ? err.name : typeof err }));
      return { notices, updated: [] };
    });
    ops.publish(repaired.notices, repaired.updated, now);
  }

  private async deliver(ops: RegionOps, target: WebhookTarget): Promise<void> {
    const due = ops.due(this.now());
    if (!due.length) return;
    for (const entry of due) {
      if (await postAlert(target, entry)) ops.delivered(entry.id);
      else if (ops.failed(entry.id, this.now()) === "dropped") console.warn(JSON.stringify({ level: "warn", code: "alert_webhook_dropped", region: ops.region }));
    }
    this.store.saveOutbox(ops.outboxJSON());
  }

  private schedule(ops: RegionOps): void {
    void this.setAlarm(ops, false).catch(() => {});
  }

  /** Sets the alarm to the state's next wake-up (in real time); `replace` moves one already set. */
  private async setAlarm(ops: RegionOps, replace: boolean): Promise<void> {
    if (this.alarmAt !== null && !replace) return;
    const next = ops.nextWakeAt(this.now());
    if (next === null) return;
    this.alarmAt = next - this.offsetMs;
    await this.ctx.storage.setAlarm(this.alarmAt);
  }
}
