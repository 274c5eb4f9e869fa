// An alert's likely cause: signals scored for the alert's metric (kind weight × strength),
// ranked into a one-line hint; and the signals a region's rollup holds.
import { describe, expect, it } from "vitest";
import { describeSignal, likelyCause, rollupSignals, type Signal } from "../../src/ops/likely-cause.ts";
import { Rollup } from "../../src/ops/rollup.ts";
import { degradedTurn, turn } from "../support/ops-events.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const at = (minute: number, second = 0) => T0 + minute * MIN + second * 1_000;

const fault = (name: string): Signal => ({ kind: "fault", name });
const breaker = (name: string): Signal => ({ kind: "breaker", name });
const degraded = (reason: "llm_unavailable" | "replica_unavailable" | "deadline" | "primary_unreachable", share: number): Signal => ({ kind: "degraded_reason", reason, turns: Math.round(share * 20), share });
const replica = (name: string, failures: number, lagSeconds: number | null): Signal => ({ kind: "replica", replica: name, lagSeconds, failures, error: failures ? "FETCH_ERROR" : null });

describe("ranking the signals of an alert", () => {
  it.each<[string, Parameters<typeof likelyCause>[0], Signal[], string[]]>([
    ["a fault on outranks everything it explains", "degraded_share", [degraded("llm_unavailable", 1), breaker("llm"), fault("llm-down")], ["fault", "breaker", "degraded_reason:llm_unavailable"]],
    ["an open breaker outranks a share of degraded replies", "degraded_share", [degraded("replica_unavailable", 0.9), breaker("replica:weur")], ["breaker", "degraded_reason:replica_unavailable"]],
    ["a larger share outranks a smaller one", "degraded_share", [degraded("deadline", 0.2), degraded("llm_unavailable", 0.7)], ["degraded_reason:llm_unavailable", "degraded_reason:deadline"]],
    ["a failing replica outranks a lagging one", "replica_lag", [replica("weur:1", 0, 900), replica("weur", 3, 40)], ["replica:weur", "replica:weur:1"]],
    ["signals that cannot explain the metric are left out", "queue_wait", [fault("llm-down"), breaker("llm"), degraded("llm_unavailable", 1), { kind: "desk", team: "billing", conversations: 3 }], ["desk"]],
    ["the primary explains replica lag, the LLM does not", "replica_lag", [fault("llm-down"), breaker("primary")], ["breaker"]],
    ["a lost primary explains the turns answered from stale copies; other degraded reasons do not", "primary_unreachable_share", [degraded("llm_unavailable", 1), degraded("primary_unreachable", 0.6), breaker("primary"), replica("weur", 4, 120)], ["breaker", "replica:weur", "degraded_reason:primary_unreachable"]],
    ["outgoing mail down explains none of the alerts", "degraded_share", [fault("mail-down"), degraded("deadline", 0.3)], ["degraded_reason:deadline"]],
    ["a fresh KB version explains a handoff-rate anomaly", "handoff_rate", [{ kind: "kb_version", version: 42, ageMinutes: 5 }, { kind: "kb_version", version: 41, ageMinutes: 60 }], ["kb_version:42"]],
    ["an open release outranks a fresh KB version", "helpful_ratio", [{ kind: "kb_version", version: 42, ageMinutes: 0 }, { kind: "release", id: "r_1", ageMinutes: 30 }], ["release", "kb_version:42"]],
  ])("%s", (_name, metric, signals, expected) => {
    const cause = likelyCause(metric, signals, T0);
    const label = (s: (typeof cause.signals)[number]) =>
      s.kind === "degraded_reason" ? `${s.kind}:${s.reason}` : s.kind === "replica" ? `replica:${s.replica}` : s.kind === "kb_version" ? `kb_version:${s.version}` : s.kind;
    expect(cause.signals.map(label)).toEqual(expected);
    expect(cause.signals.map((s) => s.score)).toEqual([...cause.signals.map((s) => s.score)].sort((a, b) => b - a));
  });

  it("makes a one-line hint of the top signal and counts the rest", () => {
    const cause = likelyCause("degraded_share", [degraded("replica_unavailable", 0.75), breaker("replica:weur"), fault("replica-down")], T0);
    expect(cause).toMatchObject({ at: T0, hint: "fault replica-down is on (+2 more signals)" });
    expect(likelyCause("degraded_share", [degraded("replica_unavailable", 0.75)], T0).hint).toBe("75% of turns degraded: replica_unavailable");
    expect(likelyCause("csat", [], T0)).toEqual({ at: T0, hint: "no correlated signal", signals: [] });
  });

  it("words every kind of signal without customer data", () => {
    expect(describeSignal(replica("apac:2", 3, 12))).toBe("replica apac:2 failing to sync (3 failures, FETCH_ERROR)");
    expect(describeSignal(replica("apac", 0, 960))).toBe("replica apac is 960 s behind");
    expect(describeSignal({ kind: "desk", team: "billing", conversations: 1 })).toBe("team billing: 1 conversation held by agents whose consoles are gone");
    expect(describeSignal({ kind: "turn_errors", turns: 3, share: 0.1 })).toBe("10% of turns failed (answered with an apology)");
  });
});

describe("signals from the region's rollup", () => {
  it("finds open breakers of its own replicas, degraded reasons, failed turns and a KB version new in the last hour", () => {
    const r = new Rollup({ region: "weur" });
    // Version 7 answered for hours; version 8 from minute 100 on, 20 minutes before now.
    for (let m = 0; m < 120; m += 5) r.record(turn(at(m), { kbVersion: m < 100 ? 7 : 8 }), at(m));
    for (let i = 0; i < 3; i++) r.record(degradedTurn(at(119, i), { degradedReason: "replica_unavailable", kbVersion: 8 }), at(119, i));
    r.record(turn(at(119, 5), { decision: "error", kbVersion: 8 }), at(119, 5));
    r.setBreakers({ "replica:weur": "open", "replica:eeur": "open", llm: "closed", primary: "half_open" });
    const signals = rollupSignals(r, "weur", 5, at(119, 30));
    expect(signals).toContainEqual({ kind: "breaker", name: "replica:weur" });
    expect(signals).toContainEqual({ kind: "breaker", name: "primary" });
    expect(signals.some((s) => s.kind === "breaker" && (s.name === "replica:eeur" || s.name === "llm"))).toBe(false);
    expect(signals).toContainEqual({ kind: "degraded_reason", reason: "replica_unavailable", turns: 3, share: 3 / 5 });
    expect(signals).toContainEqual({ kind: "turn_errors", turns: 1, share: 1 / 5 });
    expect(signals.filter((s) => s.kind === "kb_version")).toEqual([{ kind: "kb_version", version: 8, ageMinutes: 20 }]);
  });

  it("finds nothing in a quiet region", () => {
    expect(rollupSignals(new Rollup({ region: "weur" }), "weur", 5, T0)).toEqual([]);
  });
});
