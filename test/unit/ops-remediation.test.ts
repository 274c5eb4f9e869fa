// Self-repair's decisions, table-driven: which safe action each likely cause calls for, in
// each AUTO_REMEDIATION mode and at each moment of an alert's life; carrying them out through
// fake ports (dry-run touches nothing, every action audited, a failure does not stop the
// rest); and the alarm's loop over notices and open alerts (a resync that did not help
// becomes a rebuild, generation comes back on when the alert resolves).
import { describe, expect, it } from "vitest";
import type { RemediationMode } from "../../src/config.ts";
import { isRegion } from "../../src/edge/regions.ts";
import { DEFAULT_RULES } from "../../src/ops/alert-rules.ts";
import { evaluate, type Alert, type RemediationStep } from "../../src/ops/alerts.ts";
import { likelyCause, type Signal } from "../../src/ops/likely-cause.ts";
import { carryOut, decideRemediation, targetOf, type RemediationAction, type RemediationPorts } from "../../src/ops/remediation.ts";
import { Rollup } from "../../src/ops/rollup.ts";
import { LOOK_AGAIN_MS, selfRepair, type RepairPorts } from "../../src/ops/self-repair.ts";
import { degradedTurn, turn } from "../support/ops-events.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const step = (action: string, target: string, result: RemediationStep["result"] = "done"): RemediationStep => ({ action, target, result, at: T0 });

const decide = (signals: Signal[], o: { mode?: RemediationMode; moment?: "fired" | "escalated" | "open" | "resolved"; history?: RemediationStep[]; shards?: number; metric?: "degraded_share" | "queue_wait" | "replica_lag" | "helpful_ratio" } = {}) =>
  decideRemediation(
    { moment: o.moment ?? "fired", alert: { region: "weur", remediation: o.history ?? [] }, cause: likelyCause(o.metric ?? "degraded_share", signals, T0), shards: o.shards ?? 1, mode: o.mode ?? "on" },
    isRegion,
  ).map((a) => `${a.type} ${targetOf(a)}`);

const fault = (name: string): Signal => ({ kind: "fault", name });
const breaker = (name: string): Signal => ({ kind: "breaker", name });
const degraded = (reason: "llm_unavailable" | "llm_budget" | "replica_unavailable" | "deadline", share = 1): Signal => ({ kind: "degraded_reason", reason, turns: 10, share });

describe("what self-repair decides", () => {
  it.each<[string, Signal[], Parameters<typeof decide>[1], string[]]>([
    ["replies degraded for want of a replica: resync every shard of the region", [degraded("replica_unavailable")], { shards: 2 }, ["replica_resync weur", "replica_resync weur:1"]],
    ["one shard down: resync that shard", [fault("replica-shard-down=1")], { shards: 3 }, ["replica_resync weur:1"]],
    ["a shard's breaker open: resync that shard", [breaker("replica:weur:2")], { shards: 3 }, ["replica_resync weur:2"]],
    ["another region's replica: not this alert's business", [breaker("replica:eeur")], {}, []],
    ["a replica failing to sync behind a lag alert", [{ kind: "replica", replica: "weur", lagSeconds: 2400, failures: 4, error: "FETCH_ERROR" }], { metric: "replica_lag" }, ["replica_resync weur"]],
    ["after two resyncs of the replica: rebuild it", [degraded("replica_unavailable")], { moment: "open", history: [step("replica_resync", "weur"), step("replica_resync", "weur")] }, ["replica_rebuild weur"]],
    ["after a rebuild: nothing more for that replica", [degraded("replica_unavailable")], { moment: "open", history: [step("replica_rebuild", "weur")] }, []],
    ["resyncs that failed do not count towards a rebuild", [degraded("replica_unavailable")], { moment: "open", history: [step("replica_resync", "weur", "failed"), step("replica_resync", "weur")] }, ["replica_resync weur"]],
    ["the primary down: no replica action (they serve their last copy)", [breaker("primary"), { kind: "replica", replica: "weur", lagSeconds: 2400, failures: 4, error: "FETCH_ERROR" }], { metric: "replica_lag" }, []],
    ["the LLM failing: generation off for the region", [degraded("llm_unavailable"), breaker("llm")], {}, ["generation_off weur"]],
    ["the LLM budget spent: generation off", [degraded("llm_budget")], {}, ["generation_off weur"]],
    ["generation already off by this alert: nothing", [degraded("llm_unavailable")], { moment: "open", history: [step("generation_off", "weur")] }, []],
    ["the alert resolves after generation was switched off: back on", [], { moment: "resolved", history: [step("generation_off", "weur")] }, ["generation_on weur"]],
    ["the alert resolves after a dry-run switch-off: back on, in dry-run too", [], { moment: "resolved", mode: "dry-run", history: [step("generation_off", "weur", "dry_run")] }, ["generation_on weur"]],
    ["the alert resolves with nothing switched off: nothing", [], { moment: "resolved", history: [step("replica_resync", "weur")] }, []],
    ["answers regressing while a release is open: roll it back", [{ kind: "release", id: "rel_7", ageMinutes: 20 }, { kind: "kb_version", version: 9, ageMinutes: 20 }], { metric: "helpful_ratio" }, ["release_rollback rel_7"]],
    ["a release already rolled back by this alert: nothing", [{ kind: "release", id: "rel_7", ageMinutes: 20 }], { metric: "helpful_ratio", moment: "open", history: [step("release_rollback", "rel_7")] }, []],
    ["a desk holding conversations for agents whose consoles are gone: requeue", [{ kind: "desk", team: "billing", conversations: 2 }], { metric: "queue_wait" }, ["desk_requeue billing"]],
    ["a weak signal far behind the leading one is not acted on", [fault("llm-down"), { kind: "degraded_reason", reason: "replica_unavailable", turns: 1, share: 0.1 }], {}, ["generation_off weur"]],
    ["a cause nothing safe can fix: nothing", [degraded("deadline"), { kind: "turn_errors", turns: 3, share: 0.3 }], {}, []],
    ["AUTO_REMEDIATION off: nothing, whatever the cause", [degraded("replica_unavailable"), degraded("llm_unavailable")], { mode: "off" }, []],
    ["AUTO_REMEDIATION dry-run decides as on", [degraded("replica_unavailable")], { mode: "dry-run" }, ["replica_resync weur"]],
  ])("%s", (_name, signals, options, expected) => {
    expect(decide(signals, options)).toEqual(expected);
  });
});

/** Ports that record what they were asked; `fail` names actions that throw. */
function fakePorts(fail: string[] = []) {
  const calls: string[] = [];
  const audits: Array<[string, string, string, boolean]> = [];
  const act = (name: string) => {
    calls.push(name);
    if (fail.some((f) => name.startsWith(f))) throw new Error("boom");
  };
  const ports: RemediationPorts = {
    resync: async (r) => act(`resync ${r.region}:${r.shard}`),
    rebuild: async (r) => act(`rebuild ${r.region}:${r.shard}`),
    generation: async (region, off) => act(`generation ${region} ${off ? "off" : "on"}`),
    rollback: async (id) => (act(`rollback ${id}`), id === "rel_open"),
    requeue: async (team) => (act(`requeue ${team}`), 3),
    audit: async (action, target, outcome, dryRun) => void audits.push([action, target, outcome, dryRun]),
  };
  return { ports, calls, audits };
}

const ACTIONS: RemediationAction[] = [
  { type: "replica_resync", replica: { region: "weur", shard: 0 } },
  { type: "generation_off", region: "weur" },
  { type: "release_rollback", release: "rel_gone" },
  { type: "desk_requeue", team: "billing" },
];

describe("carrying the actions out", () => {
  it("does each in order, audits each, and notes what came of it; a failure does not stop the rest", async () => {
    const { ports, calls, audits } = fakePorts(["resync"]);
    const steps = await carryOut(ACTIONS, "on", ports, T0);
    expect(calls).toEqual(["resync weur:0", "generation weur off", "rollback rel_gone", "requeue billing"]);
    expect(steps).toEqual([
      { action: "replica_resync", target: "weur", result: "failed", at: T0, detail: "Error" },
      { action: "generation_off", target: "weur", result: "done", at: T0 },
      { action: "release_rollback", target: "rel_gone", result: "failed", at: T0, detail: "no release open" },
      { action: "desk_requeue", target: "billing", result: "done", at: T0, detail: "3 requeued" },
    ]);
    expect(audits).toEqual([
      ["replica_resync", "weur", "failed", false],
      ["generation_off", "weur", "ok", false],
      ["release_rollback", "rel_gone", "failed", false],
      ["desk_requeue", "billing", "ok", false],
    ]);
  });

  it("in dry-run, audits what it would do and calls nothing", async () => {
    const { ports, calls, audits } = fakePorts();
    const steps = await carryOut(ACTIONS, "dry-run", ports, T0);
    expect(calls).toEqual([]);
    expect(steps.map((s) => s.result)).toEqual(["dry_run", "dry_run", "dry_run", "dry_run"]);
    expect(audits.map(([action, , outcome, dryRun]) => [action, outcome, dryRun])).toEqual(ACTIONS.map((a) => [a.type, "ok", true]));
  });

  it("when off, does and audits nothing", async () => {
    const { ports, calls, audits } = fakePorts();
    expect(await carryOut(ACTIONS, "off", ports, T0)).toEqual([]);
    expect([calls, audits]).toEqual([[], []]);
  });
});

describe("the alarm's self-repair loop (fake clock, fake ports)", () => {
  const rules = DEFAULT_RULES.filter((r) => r.id === "degraded_share");
  const at = (minute: number, second = 0) => T0 + minute * MIN + second * 1_000;

  /** One region, every reply degraded for want of its replica for `bad` minutes, then normal; the alarm each minute. */
  async function run(minutes: number, bad: number, mode: RemediationMode = "on") {
    const r = new Rollup({ region: "weur" });
    const { ports, calls } = fakePorts();
    const repairPorts: RepairPorts = { ...ports, signals: async () => [] };
    let open: Alert[] = [];
    const sent: string[] = [];
    for (let m = 0; m < minutes; m++) {
      for (let i = 0; i < 4; i++) r.record(m < bad ? degradedTurn(at(m, i), { degradedReason: "replica_unavailable" }) : turn(at(m, i)), at(m, i));
      r.tick(at(m, 59));
      const evaluation = evaluate(rules, r, open, at(m, 59));
      const repaired = await selfRepair({ notices: evaluation.notices, open: evaluation.open, rules, source: r, mode, shards: 1, isRegion, now: at(m, 59) }, repairPorts);
      const byId = new Map([...repaired.notices.map((n) => n.alert), ...repaired.updated].map((a) => [a.id, a]));
      open = evaluation.open.map((a) => byId.get(a.id) ?? a);
      sent.push(...repaired.notices.map((n) => `${m}:${n.kind}:${n.alert.remediation.map((s) => s.action).join("+")}`));
    }
    return { open, calls, sent };
  }

  it("resyncs when the alert fires, again while it stays open, then rebuilds once", async () => {
    const { open, calls, sent } = await run(20, 20);
    expect(LOOK_AGAIN_MS).toBe(5 * MIN);
    expect(calls).toEqual(["resync weur:0", "resync weur:0", "rebuild weur:0"]);
    expect(sent).toEqual(["0:fired:replica_resync"]);
    expect(open[0]!.remediation.map((s) => s.action)).toEqual(["replica_resync", "replica_resync", "replica_rebuild"]);
    expect(open[0]!.likelyCause!.hint).toBe("100% of turns degraded: replica_unavailable");
  });

  it("stops once the replies are normal again, and carries what was done into the resolved notice", async () => {
    const { calls, sent } = await run(10, 1);
    expect(calls).toEqual(["resync weur:0"]);
    expect(sent.map((s) => s.split(":").slice(1).join(":"))).toEqual(["fired:replica_resync", "resolved:replica_resync"]);
  });
});
