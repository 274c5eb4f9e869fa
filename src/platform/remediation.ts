// Self-repair's hands on the platform (src/ops/self-repair.ts): the region's replica shards
// (their status as signals; resync, rebuild), the generation switch beside the region's LLM
// budget (RegionLimiterDO), the desks (teams from the operators; conversations held by agents
// with no console), releases, faults in development, and the audit log in the KB primary,
// appended as the Worker does (actor `system:remediation`, `…:dry-run` for dry runs).
import type { Config } from "../config.ts";
import type { Region } from "../edge/regions.ts";
import type { KbDatabase } from "../kb/articles.ts";
import { replicaName, shardsOf, type ReplicaAddress } from "../kb/shards.ts";
import type { Alert } from "../ops/alerts.ts";
import type { Signal } from "../ops/likely-cause.ts";
import type { RepairPorts } from "../ops/self-repair.ts";
import { appendAudit, listOperators } from "../operators/repository.ts";
import { logAuditFailure } from "../privacy/audit-chain.ts";
import { withTimeout } from "../resilience/breaker.ts";
import { currentFaults, faultNames } from "../resilience/faults.ts";
import { deskOf } from "./desks.ts";
import { limiterFor, llmBudgetKey } from "./limiter.ts";
import { configuredPrimary } from "./primary.ts";
import { releases } from "./releases.ts";
import { replicaOf } from "./replicas.ts";

/** Generation switched off comes back on by itself after this, should its alert never resolve (a lost state). */
const GENERATION_OFF_MAX_MS = 60 * 60_000;
/** How long a signal read or an action may take. */
const CALL_TIMEOUT_MS = 5_000;
/** A replica this far behind is a signal even without failures. */
const LAG_SIGNAL_SECONDS = 60;
/** Metrics a desk can explain: only their alerts ask the desks. */
const DESK_METRICS: readonly string[] = ["queue_wait", "queue_depth", "sla_breaches", "agent_first_response_p50", "agent_first_response_p90"];

const within = <T>(work: Promise<T>, what: string) => withTimeout(work, CALL_TIMEOUT_MS, what);

/** The teams whose desks may hold conversations: those of live agents and admins, and the default one. */
async function teams(db: KbDatabase, config: Config): Promise<string[]> {
  const operators = await within(listOperators(db), "operators").catch(() => []);
  const named = operators.filter((o) => o.revokedAt === null && (o.role === "agent" || o.role === "admin") && o.team).map((o) => o.team!);
  return [...new Set([config.desk.defaultTeam, ...named])];
}

async function replicaSignals(env: Env, config: Config, region: Region): Promise<Signal[]> {
  const statuses = await Promise.allSettled(shardsOf(region, config.replicaShards(region)).map((a) => within(replicaOf(env, a).status(), "replica status").then((s) => ({ a, s }))));
  const signals: Signal[] = [];
  for (const r of statuses) {
    if (r.status !== "fulfilled") continue;
    const { a, s } = r.value;
    if (s.failures > 0 || (s.lagSeconds ?? 0) >= LAG_SIGNAL_SECONDS) signals.push({ kind: "replica", replica: replicaName(a), lagSeconds: s.lagSeconds, failures: s.failures, error: s.lastError });
  }
  return signals;
}

/** The ports for one region's RegionOpsDO; `now` is its clock (tests move it ahead). */
export function repairPorts(env: Env, config: Config, region: Region, now: () => number): RepairPorts {
  let db: KbDatabase | null = null;
  const primary = () => (db ??= configuredPrimary(config));
  const release = releases(env);
  return {
    async signals(alert: Alert): Promise<Signal[]> {
      const faults: Signal[] = faultNames(currentFaults(config.devMode, config.faultsAtStart)).map((name) => ({ kind: "fault", name }));
      const open = await within(release.open(region), "releases").catch(() => null);
      const opened: Signal[] = open ? [{ kind: "release", id: open.id, ageMinutes: Math.max(0, Math.round((now() - open.openedAt) / 60_000)) }] : [];
      const desks: Signal[] = [];
      if (DESK_METRICS.includes(alert.metric)) {
        for (const team of await teams(primary(), config)) {
          const held = await within(deskOf(env, team).abandoned(), "desk").catch(() => null);
          if (held?.conversations) desks.push({ kind: "desk", team, conversations: held.conversations });
        }
      }
      return [...faults, ...opened, ...desks, ...(await replicaSignals(env, config, region))];
    },
    resync: async (replica: ReplicaAddress) => void (await within(replicaOf(env, replica).sync(), "replica sync")),
    rebuild: async (replica: ReplicaAddress) => void (await within(replicaOf(env, replica).rebuild(), "replica rebuild")),
    generation: (r: Region, off: boolean) => {
      const key = llmBudgetKey(r);
      return within(limiterFor(env, r, key, config.limits.shards).setGenerationOff(off ? Date.now() + GENERATION_OFF_MAX_MS : null), "generation switch");
    },
    rollback: (id: string) => within(release.rollback(id), "release rollback"),
    requeue: (team: string) => within(deskOf(env, team).requeueAbandoned(), "desk requeue"),
    async audit(action, target, outcome, dryRun) {
      const fields = { actor: dryRun ? "system:remediation:dry-run" : "system:remediation", role: "system", action: `ops.remediation.${action}`, target, outcome };
      await appendAudit(primary(), fields, Date.now()).catch((err: unknown) => logAuditFailure(fields.action, err));
    },
  };
}
