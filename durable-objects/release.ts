// ReleaseDO: one object that runs releases (src/releases). Glue only: it opens and closes
// releases in the KB primary one at a time, keeps the open one for Workers to read (cached
// per isolate), tallies the outcomes conversations report per arm, asks the guard on an alarm
// and carries out its decision (as `system:guard`, audited), and sends each change of state
// as a signed webhook. The primary's kb_releases is the record; this object mirrors the open
// release and reloads it from there when it starts without one.
import { DurableObject } from "cloudflare:workers";
import { releaseMigrations } from "../migrations/release/index.ts";
import { readConfig, type Config } from "../src/config.ts";
import { fail, ok, type ErrorCode, type Outcome } from "../src/errors.ts";
import type { KbDatabase } from "../src/kb/articles.ts";
import { Outbox } from "../src/ops/alert-delivery.ts";
import { appendAudit } from "../src/operators/repository.ts";
import { configuredPrimary } from "../src/platform/primary.ts";
import { allReplicas, pingReplicas, syncCandidates } from "../src/platform/replicas.ts";
import { postAlert, webhookTarget } from "../src/platform/webhook.ts";
import type { AnswerSettings } from "../src/releases/answer-settings.ts";
import { decide, type GuardConfig, type GuardDecision } from "../src/releases/guard.ts";
import { comparisonOf, type Comparison, type OutcomeReport } from "../src/releases/outcomes.ts";
import { closeRelease, getRelease, openKb, openReleaseOf, openSettings, readSettings, type Release, type ReleaseKind } from "../src/releases/repository.ts";
import { releaseNotice, type OpenRelease, type ReleaseView } from "../src/releases/view.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { ReleaseStore } from "./release-store.ts";

/** How often the guard looks while a release is open. */
const EVALUATE_MS = 5_000;
/** The actor of the guard's own decisions in the audit log. */
export const GUARD_ACTOR = "system:guard";

export interface OpenInput {
  percent: number;
  guard: GuardConfig;
  openedBy: string;
  changes?: AnswerSettings;
}

export interface Closing {
  to: "promoted" | "rolled_back";
  by: string;
  reason: string;
}

export class ReleaseDO extends DurableObject<Env> {
  private readonly store: ReleaseStore;
  private readonly config: Config;
  private primary: KbDatabase | null = null;
  /** Opening and closing run one at a time (each awaits the primary). */
  private queue: Promise<unknown> = Promise.resolve();
  private loaded: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, releaseMigrations);
    this.store = new ReleaseStore(ctx.storage);
    this.config = readConfig(env);
  }

  /** What a Worker needs at a conversation's start and on each turn. */
  async view(): Promise<ReleaseView> {
    await this.load();
    const release = this.store.open();
    return { release: release && openView(release), settings: this.store.settings() ?? {} };
  }

  open(kind: ReleaseKind, input: OpenInput): Promise<Outcome<Release>> {
    return this.serial(async () => {
      await this.load();
      if (this.store.open()) return fail("release_open");
      const db = this.db();
      const opening = { percent: input.percent, guard: input.guard, openedBy: input.openedBy, now: Date.now(), changes: input.changes };
      const release = await attempt(() => (kind === "kb" ? openKb(db, opening) : openSettings(db, opening)));
      if (!release.ok) return release;
      this.store.setOpen(release.value);
      this.store.forgetOthers(release.value.id);
      if (kind === "kb") this.ctx.waitUntil(syncCandidates(this.env, release.value.id));
      this.notify(release.value);
      await this.ctx.storage.setAlarm(Date.now() + EVALUATE_MS);
      return release;
    });
  }

  /** Promotes or rolls back the open release `id` (by hand, or the guard's decision). */
  close(id: string, closing: Closing): Promise<Outcome<Release>> {
    return this.serial(async () => {
      await this.load();
      const open = this.store.open();
      if (open?.id !== id) {
        const known = await attempt(() => getRelease(this.db(), id));
        if (!known.ok) return known;
        return fail(known.value ? "release_closed" : "release_not_found");
      }
      const comparison = this.comparison(open);
      const closed = await attempt(() => closeRelease(this.db(), id, { ...closing, comparison, now: Date.now() }));
      if (!closed.ok) return closed;
      if (!closed.value) return fail("release_closed");
      this.store.setOpen(null);
      // The admin routes audit an operator's decisions; the system's own (guard, self-repair) are audited here.
      if (closing.by.startsWith("system:")) await this.audit(closed.value, closing.by);
      if (closed.value.kind === "settings" && closing.to === "promoted") await this.refresh();
      // Stable replicas pull what was promoted at once; candidate replicas retire by themselves.
      if (closed.value.kind === "kb" && closing.to === "promoted") this.ctx.waitUntil(pingReplicas(this.env, allReplicas(this.config.replicaShards)));
      this.notify(closed.value);
      return ok(closed.value);
    });
  }

  /** Conversations' outcomes; those of a release that is not open are dropped. */
  record(reports: OutcomeReport[]): void {
    const open = this.store.open();
    if (!open || !this.store.record(open.id, reports)) return;
    // The guard looks soon after outcomes arrive (never more than once per alarm).
    void this.ctx.storage.getAlarm().then((at) => (at === null || at > Date.now() + 1_000 ? this.ctx.storage.setAlarm(Date.now() + 1_000) : undefined));
  }

  /** The open release `id`'s comparison of the arms and the guard's view, or null when it is not open. */
  async live(id: string): Promise<{ comparison: Comparison; decision: GuardDecision["type"]; reason: string } | null> {
    await this.load();
    const open = this.store.open();
    if (open?.id !== id) return null;
    const decision = this.decision(open);
    return { comparison: this.comparison(open, decision), decision: decision.type, reason: decision.reason };
  }

  /** Reads the stable settings again (after a write that went live at once). */
  async refresh(): Promise<AnswerSettings> {
    const settings = await readSettings(this.db());
    this.store.setSettings(settings.stable);
    return settings.stable;
  }

  override async alarm(): Promise<void> {
    await this.load();
    const open = this.store.open();
    if (open) {
      const decision = this.decision(open);
      if (decision.type === "rollback" || decision.type === "promote") {
        await this.close(open.id, { to: decision.type === "promote" ? "promoted" : "rolled_back", by: GUARD_ACTOR, reason: decision.reason });
      }
    }
    await this.deliver();
    const next = [this.store.open() ? Date.now() + EVALUATE_MS : null, new Outbox(this.store.outbox()).nextDueAt()].filter((t): t is number => t !== null);
    if (next.length) await this.ctx.storage.setAlarm(Math.min(...next));
  }

  private decision(open: Release) {
    const arms = this.store.stats(open.id);
    return decide(arms.canary, arms.stable, Date.now() - Date.parse(open.openedAt), open.guard);
  }

  private comparison(open: Release, decision: GuardDecision = this.decision(open)): Comparison {
    const arms = this.store.stats(open.id);
    return { ...comparisonOf(arms.canary, arms.stable), tests: decision.tests, at: new Date().toISOString() };
  }

  /** The open release and the settings, from the primary when this object has never read them. */
  private load(): Promise<void> {
    this.loaded ??= (async () => {
      if (this.store.settings() !== null) return;
      const db = this.db();
      const [open, settings] = await Promise.all([openReleaseOf(db), readSettings(db)]);
      this.store.setOpen(open);
      this.store.setSettings(settings.stable);
      if (open) await this.ctx.storage.setAlarm(Date.now() + EVALUATE_MS);
    })().catch(() => {
      // The primary is unreachable: try again on the next call.
      this.loaded = null;
    });
    return this.loaded;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private db(): KbDatabase {
    return (this.primary ??= configuredPrimary(this.config));
  }

  private async audit(release: Release, actor: string): Promise<void> {
    const action = `${release.kind === "kb" ? "kb" : "settings"}.release.${release.state === "promoted" ? "promote" : "rollback"}`;
    await appendAudit(this.db(), { actor, role: "system", action, target: release.id, outcome: "ok" }, Date.now()).catch(() => {
      console.warn(JSON.stringify({ level: "warn", code: "audit_failed", action }));
    });
  }

  /** Queues the change of state for the alert webhook (when one is configured). */
  private notify(release: Release): void {
    if (!webhookTarget(this.config)) return;
    const outbox = new Outbox(this.store.outbox());
    const notice = releaseNotice(release);
    outbox.enqueueBody(notice.id, JSON.stringify(notice), Date.now());
    this.store.saveOutbox(outbox.toJSON());
    void this.ctx.storage.setAlarm(Date.now());
  }

  private async deliver(): Promise<void> {
    const target = webhookTarget(this.config);
    const outbox = new Outbox(this.store.outbox());
    if (!target || !outbox.size) return;
    for (const entry of outbox.due(Date.now())) {
      if (await postAlert(target, entry)) outbox.delivered(entry.id);
      else outbox.failed(entry.id, Date.now());
    }
    this.store.saveOutbox(outbox.toJSON());
  }
}

function openView(r: Release): OpenRelease {
  return { id: r.id, kind: r.kind, openedAt: r.openedAt, percent: r.percent, stableVersion: r.stableVersion, candidateVersion: r.candidateVersion, changes: r.changes };
}

/** Runs a primary call; an AppError keeps its code, anything else is primary_unavailable. */
async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await fn());
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && /^(release_|nothing_to_release)/.test(code)) return fail(code as ErrorCode);
    console.error(JSON.stringify({ level: "error", code: "primary_unavailable", kind: (err as Error).name }));
    return fail("primary_unavailable");
  }
}
