import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, parseAlertRules, type AlertRule } from "../../src/ops/alert-rules.ts";
import { describeNotice, evaluate, type Alert, type Notice } from "../../src/ops/alerts.ts";
import { Rollup } from "../../src/ops/rollup.ts";
import { agentReply, degradedTurn, handoff, hashed, rating, turn } from "../support/ops-events.ts";

const MIN = 60_000;
/** Minute 0 of the fake clock (a minute boundary). */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const at = (minute: number, second = 0) => T0 + minute * MIN + second * 1_000;

/** Runs one evaluation per minute, at the end of each minute, feeding `traffic(minute)` first. */
function run(r: Rollup, minutes: number[], traffic: (minute: number) => void, rules: readonly AlertRule[] = DEFAULT_RULES) {
  let open: Alert[] = [];
  const perMinute: Notice[][] = [];
  for (const m of minutes) {
    traffic(m);
    r.tick(at(m, 59));
    const result = evaluate(rules, r, open, at(m, 59));
    open = result.open;
    perMinute.push(result.notices);
  }
  return { open, perMinute };
}

const only = (ids: string[]) => DEFAULT_RULES.filter((rule) => ids.includes(rule.id));

describe("the default primary_unreachable rule (fake clock, one evaluation a minute)", () => {
  it("fires when turns come from copies gone stale because the KB primary is lost, and not for other degraded reasons", () => {
    const lost = new Rollup({ region: "weur" });
    for (let m = 0; m < 10; m++) for (let i = 0; i < 4; i++) lost.record(turn(at(m, i * 10)), at(m, i * 10));
    const primary = run(lost, [10, 11], (m) => {
      for (let i = 0; i < 4; i++) lost.record(degradedTurn(at(m, i * 10), { degradedReason: "primary_unreachable" }), at(m, i * 10));
    }, only(["primary_unreachable"]));
    expect(primary.perMinute.map((n) => n.map((x) => `${x.kind}:${x.alert.ruleId}:${x.alert.level}`))).toEqual([["fired:primary_unreachable:warning"], []]);

    const llm = new Rollup({ region: "weur" });
    const other = run(llm, [0, 1, 2], (m) => {
      for (let i = 0; i < 4; i++) llm.record(degradedTurn(at(m, i * 10)), at(m, i * 10));
    }, only(["primary_unreachable"]));
    expect(other.perMinute.flat()).toEqual([]);
  });
});

describe("the default degraded-share rule (fake clock, one evaluation a minute)", () => {
  it("raises a critical alert within 3 minutes when every reply turns degraded after steady normal traffic", () => {
    const r = new Rollup({ region: "weur" });
    for (let m = 0; m < 30; m++) for (let i = 0; i < 4; i++) r.record(turn(at(m, i * 10)), at(m, i * 10));
    const { open, perMinute } = run(r, [30, 31, 32], (m) => {
      for (let i = 0; i < 4; i++) r.record(degradedTurn(at(m, i * 10)), at(m, i * 10));
    });
    expect(perMinute.map((n) => n.map((x) => `${x.kind}:${x.alert.level}`))).toEqual([["fired:warning"], [], ["escalated:critical"]]);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ ruleId: "degraded_share", region: "weur", level: "critical", firedAt: at(30, 59) });
    expect(perMinute[2]![0]!.alert.id).toBe(perMinute[0]![0]!.alert.id);
  });

  it("raises it within 3 minutes from a quiet region with one degraded reply a minute", () => {
    const r = new Rollup({ region: "weur" });
    const { open, perMinute } = run(r, [0, 1, 2], (m) => r.record(degradedTurn(at(m, 5)), at(m, 5)));
    expect(perMinute.map((n) => n.length)).toEqual([0, 0, 1]);
    expect(open[0]).toMatchObject({ level: "critical", value: 1 });
  });

  it("keeps one open alert while the condition lasts, and resolves it once clear for the resolve delay", () => {
    const r = new Rollup({ region: "weur" });
    const degraded = (m: number) => m < 10;
    const { open, perMinute } = run(r, Array.from({ length: 20 }, (_, m) => m), (m) => {
      for (let i = 0; i < 5; i++) r.record(degraded(m) ? degradedTurn(at(m, i)) : turn(at(m, i)), at(m, i));
    });
    const notices = perMinute.flat();
    expect(notices.filter((n) => n.kind === "fired")).toHaveLength(1);
    expect(notices.filter((n) => n.kind === "resolved")).toHaveLength(1);
    // The 5-minute share drops below 0.1 at minute 14; resolved 2 minutes later.
    expect(perMinute.findIndex((n) => n.some((x) => x.kind === "resolved"))).toBe(16);
    expect(notices.find((n) => n.kind === "resolved")!.alert.resolvedAt).toBe(at(16, 59));
    expect(open).toEqual([]);
  });

  it("does not resolve while the condition comes back within the resolve delay", () => {
    const r = new Rollup({ region: "weur" });
    const rules = only(["degraded_share"]).map((rule) => ({ ...rule, windowMinutes: 1, resolveAfterMinutes: 2 }));
    const pattern = [true, true, false, true, false, true, true];
    const { perMinute } = run(r, pattern.map((_, m) => m), (m) => {
      for (let i = 0; i < 5; i++) r.record(pattern[m] ? degradedTurn(at(m, i)) : turn(at(m, i)), at(m, i));
    }, rules);
    expect(perMinute.flat().map((n) => n.kind)).toEqual(["fired"]);
  });
});

describe("threshold rules", () => {
  it.each([
    ["turn_latency_p99", (r: Rollup, m: number) => {
      for (let i = 0; i < 30; i++) r.record(turn(at(m, i), { latencyMs: i < 27 ? 200 : 9_500 }), at(m, i));
    }, "critical"],
    ["replica_lag", (r: Rollup, m: number) => r.record(turn(at(m, 1), { replicaLagSeconds: 400 }), at(m, 1)), "warning"],
    ["error_rate", (r: Rollup, m: number) => {
      for (let i = 0; i < 30; i++) r.record(turn(at(m, i), { decision: i < 4 ? "error" : "answer" }), at(m, i));
    }, "critical"],
  ] as const)("fires %s at its default levels", (id, traffic, level) => {
    const r = new Rollup({ region: "weur" });
    const { open } = run(r, [0], (m) => traffic(r, m), only([id]));
    expect(open.map((a) => [a.ruleId, a.level])).toEqual([[id, level]]);
  });

  it("fires on a handoff left waiting, escalating as the wait grows, and resolves when an agent answers", () => {
    const r = new Rollup({ region: "weur" });
    r.record(handoff(at(0), { conversation: hashed(4) }), at(0));
    const { perMinute } = run(r, Array.from({ length: 15 }, (_, m) => m), (m) => {
      if (m === 12) r.record(agentReply(at(m, 1), 12 * MIN, { conversation: hashed(4) }), at(m, 1));
    }, only(["queue_wait"]));
    const kinds = perMinute.map((n) => n.map((x) => `${x.kind}:${x.alert.level}`).join());
    expect(kinds[3]).toBe("fired:warning");
    expect(kinds[10]).toBe("escalated:critical");
    expect(kinds.slice(13).join()).toContain("resolved:critical");
  });

  it("does not fire on too few samples", () => {
    const r = new Rollup({ region: "weur" });
    const { open } = run(r, [0], (m) => r.record(turn(at(m), { latencyMs: 20_000 }), at(m)), only(["turn_latency_p99"]));
    expect(open).toEqual([]);
  });

  it("fires a rule with direction below when the value falls to a level", () => {
    const { rules } = parseAlertRules(JSON.stringify({ low_csat: { kind: "threshold", metric: "csat", direction: "below", warning: 3.5, critical: 2.5, windowMinutes: 60 } }), []);
    const r = new Rollup({ region: "weur" });
    const { open } = run(r, [0], (m) => [2, 3, 2].forEach((s) => r.record(rating(at(m), s as 2 | 3), at(m))), rules);
    expect(open.map((a) => a.level)).toEqual(["critical"]);
  });
});

describe("anomaly rules (z-score on the metric's own history)", () => {
  const rule = DEFAULT_RULES.find((x) => x.id === "handoff_rate_anomaly")!;
  /** 20 turns a minute; one handoff in `rate` of them (a steady few percent, with a wobble). */
  const traffic = (r: Rollup, m: number, rate: (m: number) => number) => {
    for (let i = 0; i < 20; i++) {
      r.record(turn(at(m, i)), at(m, i));
      if (i < rate(m)) r.record(handoff(at(m, i), { conversation: hashed(m * 100 + i) }), at(m, i));
    }
  };
  const normal = (m: number) => 1 + (m % 3 === 0 ? 1 : 0);

  it("fires when the handoff rate jumps far above its usual level", () => {
    const r = new Rollup({ region: "weur" });
    const { perMinute } = run(r, Array.from({ length: 240 }, (_, m) => m), (m) => traffic(r, m, m < 230 ? normal : () => 8), [rule]);
    expect(perMinute.slice(0, 230).flat()).toEqual([]);
    const fired = perMinute.slice(230).flat().find((n) => n.kind === "fired" || n.kind === "escalated");
    expect(fired?.alert).toMatchObject({ ruleId: "handoff_rate_anomaly", kind: "anomaly" });
    expect(fired!.alert.value).toBeGreaterThanOrEqual(3);
  });

  it("stays quiet during warm-up, however odd the first hour looks", () => {
    const r = new Rollup({ region: "weur" });
    const { perMinute } = run(r, Array.from({ length: 60 }, (_, m) => m), (m) => traffic(r, m, m < 50 ? normal : () => 10), [rule]);
    expect(perMinute.flat()).toEqual([]);
  });

  it("does not fire on a small change after a perfectly flat history", () => {
    const r = new Rollup({ region: "weur" });
    const { perMinute } = run(r, Array.from({ length: 200 }, (_, m) => m), (m) => traffic(r, m, m < 190 ? () => 1 : (n) => 1 + (n % 2)), [rule]);
    expect(perMinute.flat().filter((n) => n.kind === "fired")).toEqual([]);
  });
});

describe("alert bookkeeping", () => {
  it("passes other regions' alerts through, and resolves the alert of a rule that was disabled", () => {
    const r = new Rollup({ region: "weur" });
    for (let i = 0; i < 5; i++) r.record(degradedTurn(at(0, i)), at(0, i));
    const first = evaluate(DEFAULT_RULES, r, [], at(0, 59));
    const elsewhere: Alert = { ...first.open[0]!, region: "apac", id: "degraded_share:apac:1" };
    const disabled = parseAlertRules(JSON.stringify({ degraded_share: { enabled: false } })).rules;
    const second = evaluate(disabled, r, [...first.open, elsewhere], at(1, 59));
    expect(second.notices.map((n) => [n.kind, n.alert.region])).toEqual([["resolved", "weur"]]);
    expect(second.open).toEqual([elsewhere]);
  });

  it("describes a notice without anything a customer wrote", () => {
    const r = new Rollup({ region: "weur" });
    for (let i = 0; i < 5; i++) r.record(degradedTurn(at(0, i)), at(0, i));
    const [notice] = evaluate(DEFAULT_RULES, r, [], at(0, 59)).notices;
    expect(describeNotice(notice!)).toBe("[fired] degraded_share critical in weur: degraded_share=1 (level 0.5)");
  });
});

describe("ALERT_RULES overrides", () => {
  it("overrides levels, windows and enabled per rule and keeps the rest of the defaults", () => {
    const { rules, errors } = parseAlertRules(JSON.stringify({ degraded_share: { warning: 0.2, critical: 0.4, windowMinutes: 3 }, queue_wait: { enabled: false } }));
    expect(errors).toEqual([]);
    expect(rules.find((x) => x.id === "degraded_share")).toMatchObject({ warning: 0.2, critical: 0.4, windowMinutes: 3, minSamples: 3 });
    expect(rules.find((x) => x.id === "queue_wait")!.enabled).toBe(false);
    expect(rules).toHaveLength(DEFAULT_RULES.length);
  });

  it("adds a rule that is not built in when it names its kind and metric", () => {
    const { rules, errors } = parseAlertRules(JSON.stringify({ sla_breach_spike: { kind: "anomaly", metric: "sla_breaches", minStdDev: 1 } }));
    expect(errors).toEqual([]);
    expect(rules.at(-1)).toMatchObject({ id: "sla_breach_spike", kind: "anomaly", metric: "sla_breaches", warning: 3, critical: 5 });
  });

  it.each([
    ["malformed JSON", "{not json", "*"],
    ["a list instead of an object", "[1]", "*"],
    ["an unknown field", JSON.stringify({ degraded_share: { threshold: 2 } }), "degraded_share"],
    ["a field of the wrong type", JSON.stringify({ degraded_share: { warning: "high" } }), "degraded_share"],
    ["critical before warning", JSON.stringify({ degraded_share: { warning: 0.6, critical: 0.3 } }), "degraded_share"],
    ["a new rule without a metric", JSON.stringify({ mystery: { warning: 1, critical: 2 } }), "mystery"],
    ["an unknown metric", JSON.stringify({ mystery: { kind: "threshold", metric: "revenue", warning: 1, critical: 2 } }), "mystery"],
    ["a change of kind", JSON.stringify({ degraded_share: { kind: "anomaly" } }), "degraded_share"],
    ["an odd rule id", JSON.stringify({ "Bad Id": { enabled: false } }), "*"],
  ])("keeps the defaults and reports %s, without echoing values", (_name, raw, rule) => {
    const { rules, errors } = parseAlertRules(raw);
    expect(rules).toEqual(DEFAULT_RULES);
    expect(errors.map((e) => e.rule)).toEqual([rule]);
    expect(JSON.stringify(errors)).not.toMatch(/high|revenue|not json/);
  });

  it("uses the defaults when nothing is configured", () => {
    expect(parseAlertRules(undefined)).toEqual({ rules: DEFAULT_RULES, errors: [] });
    expect(parseAlertRules("  ")).toEqual({ rules: DEFAULT_RULES, errors: [] });
  });
});
