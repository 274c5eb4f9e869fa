// Safe automatic actions on alerts: what to do about an alert given its likely cause
// (`decideRemediation`, pure, table-tested) and doing it through ports, each action audited
// as `ops.remediation.<action>` (`carryOut`). AUTO_REMEDIATION: `on` does them, `dry-run`
// audits what it would do and does nothing, `off` decides nothing.
//
// Decisions follow the leading signals (a score at least half the top one's):
// - a replica failing or behind, replica breakers or faults, replies degraded for want of a
//   replica → resync it; after REBUILD_AFTER resyncs within one alert, rebuild it once — but
//   nothing while the primary itself is down (the replicas serve their last copy meanwhile);
// - the LLM failing, its breaker open or its budget spent → generation off for the region,
//   back on when the alert resolves;
// - an open release → roll it back;
// - a desk holding conversations for agents whose consoles are gone → requeue them.
import type { RemediationMode } from "../config.ts";
import type { Region } from "../edge/regions.ts";
import type { ReplicaAddress } from "../kb/shards.ts";
import type { AuditOutcome } from "../privacy/audit-chain.ts";
import type { Alert, RemediationStep } from "./alerts.ts";
import type { LikelyCause, ScoredSignal } from "./likely-cause.ts";

export type RemediationAction =
  | { type: "replica_resync"; replica: ReplicaAddress }
  | { type: "replica_rebuild"; replica: ReplicaAddress }
  | { type: "generation_off"; region: Region }
  | { type: "generation_on"; region: Region }
  | { type: "release_rollback"; release: string }
  | { type: "desk_requeue"; team: string };

/** What a decision looks at. */
export interface RemediationInput {
  /** Why it is looked at: a notice, or a later look at an alert still open (`open`). */
  moment: "fired" | "escalated" | "open" | "resolved";
  alert: Pick<Alert, "region" | "remediation">;
  cause: LikelyCause | null;
  /** Replica shards of the alert's region. */
  shards: number;
  mode: RemediationMode;
}

/** Resyncs of one replica within an alert before it is rebuilt instead. */
export const REBUILD_AFTER = 2;
/** A signal leads when its score is at least this share of the top one's. */
export const LEAD = 0.5;

const LLM_FAULTS = ["llm-down", "llm-slow", "region-over-budget"];
const REPLICA_NAME = /^([a-z]+)(?::(\d{1,2}))?$/;

/** `weur`, `apac:2` (a replica's Durable Object name, as replicaName makes it) → its address. */
export function parseReplica(name: string, isRegion: (r: string) => r is Region): ReplicaAddress | null {
  const m = REPLICA_NAME.exec(name);
  return m && isRegion(m[1]!) ? { region: m[1] as Region, shard: Number(m[2] ?? 0) } : null;
}

/** The target an action is audited and shown under. */
export function targetOf(a: RemediationAction): string {
  switch (a.type) {
    case "replica_resync":
    case "replica_rebuild":
      return a.replica.shard ? `${a.replica.region}:${a.replica.shard}` : a.replica.region;
    case "generation_off":
    case "generation_on":
      return a.region;
    case "release_rollback":
      return a.release;
    case "desk_requeue":
      return a.team;
  }
}

/** Steps of the alert's history for an action on a target (done, or decided in dry-run). */
const taken = (alert: RemediationInput["alert"], action: string, target: string) => alert.remediation.filter((s) => s.action === action && s.target === target && s.result !== "failed");

/** Whether generation is off by this alert's doing (its last off not followed by an on). */
function generationIsOff(alert: RemediationInput["alert"]): boolean {
  const last = alert.remediation.filter((s) => (s.action === "generation_off" || s.action === "generation_on") && s.result !== "failed").at(-1);
  return last?.action === "generation_off";
}

/** The replicas a leading signal points at (all of the region's shards for region-wide ones). */
function replicasOf(s: ScoredSignal, region: Region, shards: number, isRegion: (r: string) => r is Region): ReplicaAddress[] {
  const all = () => Array.from({ length: Math.max(1, shards) }, (_, shard) => ({ region, shard }));
  if (s.kind === "fault" && s.name === "replica-down") return all();
  if (s.kind === "fault" && s.name.startsWith("replica-shard-down=")) {
    const shard = Number(s.name.split("=")[1]);
    return shard < shards ? [{ region, shard }] : [];
  }
  if (s.kind === "degraded_reason" && s.reason === "replica_unavailable") return all();
  if (s.kind === "breaker" && s.name.startsWith("replica:")) {
    const address = parseReplica(s.name.slice("replica:".length), isRegion);
    return address ? [address] : [];
  }
  if (s.kind === "replica") {
    const address = parseReplica(s.replica, isRegion);
    return address ? [address] : [];
  }
  return [];
}

const isLlm = (s: ScoredSignal) =>
  (s.kind === "fault" && LLM_FAULTS.includes(s.name)) || (s.kind === "breaker" && s.name === "llm") || (s.kind === "degraded_reason" && (s.reason === "llm_unavailable" || s.reason === "llm_budget"));

const isPrimaryDown = (s: ScoredSignal) => (s.kind === "fault" && s.name === "primary-down") || (s.kind === "breaker" && s.name === "primary");

/** The actions for an alert at a moment of its life; none when AUTO_REMEDIATION is off. */
export function decideRemediation(input: RemediationInput, isRegion: (r: string) => r is Region): RemediationAction[] {
  const { alert, mode } = input;
  if (mode === "off" || !isRegion(alert.region)) return [];
  const region = alert.region;
  if (input.moment === "resolved") return generationIsOff(alert) ? [{ type: "generation_on", region }] : [];
  const signals = input.cause?.signals ?? [];
  const top = signals[0]?.score ?? 0;
  const leading = signals.filter((s) => s.score > 0 && s.score >= LEAD * top);
  const actions: RemediationAction[] = [];
  const add = (a: RemediationAction) => {
    if (!actions.some((b) => b.type === a.type && targetOf(b) === targetOf(a))) actions.push(a);
  };
  const primaryDown = signals.some(isPrimaryDown);
  for (const s of leading) {
    if (isLlm(s) && !generationIsOff(alert)) add({ type: "generation_off", region });
    if (s.kind === "release" && !taken(alert, "release_rollback", s.id).length) add({ type: "release_rollback", release: s.id });
    if (s.kind === "desk" && s.conversations > 0) add({ type: "desk_requeue", team: s.team });
    if (primaryDown) continue;
    // Only the region's own replicas: another region's are its alerts' business.
    for (const replica of replicasOf(s, region, input.shards, isRegion).filter((r) => r.region === region && r.shard < input.shards)) {
      const target = targetOf({ type: "replica_resync", replica });
      if (taken(alert, "replica_rebuild", target).length) continue;
      add(taken(alert, "replica_resync", target).length >= REBUILD_AFTER ? { type: "replica_rebuild", replica } : { type: "replica_resync", replica });
    }
  }
  return actions;
}

/** What carrying out needs: the platform's hands, and the audit log. */
export interface RemediationPorts {
  resync(replica: ReplicaAddress): Promise<void>;
  rebuild(replica: ReplicaAddress): Promise<void>;
  /** Switches generation off (`true`) or back on for the region. */
  generation(region: Region, off: boolean): Promise<void>;
  /** Rolls a release back; false when no such release is open. */
  rollback(release: string): Promise<boolean>;
  /** Requeues the team's conversations held by agents with no console; how many. */
  requeue(team: string): Promise<number>;
  /** Appends `ops.remediation.<action>` to the audit log; never throws. */
  audit(action: string, target: string, outcome: AuditOutcome, dryRun: boolean): Promise<void>;
}

async function perform(a: RemediationAction, ports: RemediationPorts): Promise<{ ok: boolean; detail?: string }> {
  switch (a.type) {
    case "replica_resync":
      await ports.resync(a.replica);
      return { ok: true };
    case "replica_rebuild":
      await ports.rebuild(a.replica);
      return { ok: true };
    case "generation_off":
    case "generation_on":
      await ports.generation(a.region, a.type === "generation_off");
      return { ok: true };
    case "release_rollback":
      return (await ports.rollback(a.release)) ? { ok: true } : { ok: false, detail: "no release open" };
    case "desk_requeue": {
      const n = await ports.requeue(a.team);
      return { ok: true, detail: `${n} requeued` };
    }
  }
}

/**
 * Carries the actions out in order (dry-run: none of them) and audits each; one failing
 * does not stop the next. The steps, for the alert's `remediation`.
 */
export async function carryOut(actions: readonly RemediationAction[], mode: RemediationMode, ports: RemediationPorts, now: number): Promise<RemediationStep[]> {
  const steps: RemediationStep[] = [];
  for (const a of actions) {
    const target = targetOf(a);
    if (mode === "dry-run") {
      await ports.audit(a.type, target, "ok", true);
      steps.push({ action: a.type, target, result: "dry_run", at: now });
      continue;
    }
    if (mode === "off") continue;
    const outcome = await perform(a, ports).catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.name : "error" }));
    await ports.audit(a.type, target, outcome.ok ? "ok" : "failed", false);
    steps.push({ action: a.type, target, result: outcome.ok ? "done" : "failed", at: now, ...(outcome.detail && { detail: outcome.detail }) });
  }
  return steps;
}
