import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { METRICS_CONTENT_TYPE, metricsBody, renderFamilies } from "../../src/ops/prometheus.ts";
import { Rollup } from "../../src/ops/rollup.ts";
import { count } from "../../src/ops/tally.ts";
import { agentReply, degradedTurn, ended, handoff, rating, turn } from "../support/ops-events.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 30);
const MIN = 60_000;

/** A rollup with some traffic, its totals persisted (as the DO does before /metrics shows them). */
function region(name: "weur" | "apac", turns: number) {
  const r = new Rollup({ region: name });
  for (let i = 0; i < turns; i++) r.record(i % 4 === 0 ? degradedTurn(T, { region: name, latencyMs: 30 + i }) : turn(T, { region: name, latencyMs: 100 * i }), T);
  r.record(turn(T, { region: name, decision: "error" }), T);
  r.record(handoff(T, { region: name, reason: "negative_sentiment" }), T);
  r.record(agentReply(T + MIN, 45_000, { region: name }), T + MIN);
  r.record(rating(T, 3, { region: name }), T);
  r.record(rating(T, 5, { region: name, replaces: { score: 3, at: T, mode: "normal", language: "en", kbVersion: 7 } }), T);
  r.record(ended(T, { region: name }), T);
  r.setBreakers({ "replica:weur": "open", llm: "closed" });
  r.markPersisted(r.toSnapshot(T + MIN));
  return r;
}

const byName = (families: ParsedFamily[], name: string) => families.find((f) => f.name === name);

/** The value of the sample whose labels include `labels`. */
function sampleValue(families: ParsedFamily[], name: string, labels: Record<string, string>): number | undefined {
  const s = byName(families, name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return s?.value === undefined ? undefined : Number(s.value);
}

/**
 * A histogram's series, keyed by its labels without `le`. parse-prometheus-text-format
 * folds a labelled histogram's series into one (upstream issue #13), so its bucket, sum and
 * count lines are read back with the same parser after retyping the family as untyped.
 */
function histogramSeries(body: string, name: string) {
  const retyped = parsePrometheusTextFormat(body.replace(`# TYPE ${name} histogram`, `# TYPE ${name} untyped`));
  const series = new Map<string, { buckets: Array<[string, number]>; sum?: number; count?: number }>();
  const key = (labels: Record<string, string> = {}) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le"));
  const entry = (labels?: Record<string, string>) => series.get(key(labels)) ?? series.set(key(labels), { buckets: [] }).get(key(labels))!;
  // Untyped, each run of same-named lines is a family of its own: read them all.
  const samples = (suffix: string) => retyped.filter((f) => f.name === `${name}${suffix}`).flatMap((f) => f.metrics);
  for (const m of samples("_bucket")) entry(m.labels).buckets.push([m.labels!.le!, Number(m.value)]);
  for (const m of samples("_sum")) entry(m.labels).sum = Number(m.value);
  for (const m of samples("_count")) entry(m.labels).count = Number(m.value);
  return series;
}

/** Every counter sample of a body, by family and labels. */
function counterSamples(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of parsePrometheusTextFormat(body)) if (f.type === "COUNTER") for (const m of f.metrics) out.set(`${f.name}${JSON.stringify(m.labels)}`, Number(m.value));
  return out;
}

describe("/metrics exposition, read back with a real parser of the text format", () => {
  const body = metricsBody([region("weur", 8).metricsView(T + MIN), region("apac", 3).metricsView(T + MIN)]);
  const families = parsePrometheusTextFormat(body);

  it("declares every family once, with help and a type, under conventional names", () => {
    const names = families.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of families) {
      expect(f.help).not.toBe("");
      expect(f.type).not.toBe("UNTYPED");
      if (f.type === "COUNTER") expect(f.name).toMatch(/_total$/);
      if (f.type === "HISTOGRAM") expect(f.name).toMatch(/_seconds$/);
    }
    expect(Object.fromEntries(families.map((f) => [f.name, f.type]))).toMatchObject({
      holdfast_turns_total: "COUNTER",
      holdfast_turn_duration_seconds: "HISTOGRAM",
      holdfast_handoff_queue_depth: "GAUGE",
      holdfast_agent_first_response_seconds: "HISTOGRAM",
      holdfast_sla_breaches_total: "COUNTER",
      holdfast_replica_lag_seconds: "GAUGE",
      holdfast_breaker_open: "GAUGE",
    });
    expect(body.endsWith("\n")).toBe(true);
    expect(body).not.toContain("\r");
    expect(METRICS_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("counts turns by region, mode and decision", () => {
    expect(sampleValue(families, "holdfast_turns_total", { region: "weur", mode: "normal", decision: "answer" })).toBe(6);
    expect(sampleValue(families, "holdfast_turns_total", { region: "weur", mode: "degraded", decision: "answer" })).toBe(2);
    expect(sampleValue(families, "holdfast_turns_total", { region: "weur", mode: "normal", decision: "error" })).toBe(1);
    expect(sampleValue(families, "holdfast_turns_total", { region: "apac", mode: "degraded", decision: "answer" })).toBe(1);
    expect(sampleValue(families, "holdfast_handoffs_total", { region: "apac", reason: "negative_sentiment" })).toBe(1);
    expect(sampleValue(families, "holdfast_ratings_total", { region: "weur", score: "5" })).toBe(1);
    // Counters only grow: a rating replaced by a later one is counted as replaced, not taken back.
    expect(sampleValue(families, "holdfast_ratings_total", { region: "weur", score: "3" })).toBe(1);
    expect(sampleValue(families, "holdfast_ratings_replaced_total", { region: "weur", score: "3" })).toBe(1);
    expect(sampleValue(families, "holdfast_conversations_total", { region: "weur", resolution: "ai_assumed" })).toBe(1);
  });

  it("writes gauges for the queue, the replica lag and each breaker", () => {
    expect(sampleValue(families, "holdfast_handoff_queue_depth", { region: "weur" })).toBe(0);
    expect(sampleValue(families, "holdfast_replica_lag_seconds", { region: "apac" })).toBe(2);
    expect(sampleValue(families, "holdfast_breaker_open", { region: "weur", breaker: "replica:weur" })).toBe(1);
    expect(sampleValue(families, "holdfast_breaker_open", { region: "weur", breaker: "llm" })).toBe(0);
  });

  it("writes histograms with cumulative le buckets ending in +Inf, a sum and a count per series", () => {
    const series = histogramSeries(body, "holdfast_turn_duration_seconds");
    expect(series.size).toBe(4);
    for (const s of series.values()) {
      expect(s.buckets.at(-1)![0]).toBe("+Inf");
      expect(s.buckets.at(-1)![1]).toBe(s.count);
      const bounds = s.buckets.slice(0, -1).map(([le]) => Number(le));
      expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
      for (let i = 1; i < s.buckets.length; i++) expect(s.buckets[i]![1]).toBeGreaterThanOrEqual(s.buckets[i - 1]![1]);
    }
    const weurNormal = series.get(JSON.stringify([["region", "weur"], ["mode", "normal"], ["version", "unknown"]]))!;
    expect(weurNormal.count).toBe(7);
    expect(weurNormal.sum).toBeCloseTo((100 + 200 + 300 + 500 + 600 + 700 + 120) / 1000);
    const agent = histogramSeries(body, "holdfast_agent_first_response_seconds").get(JSON.stringify([["region", "weur"], ["version", "unknown"]]))!;
    expect(agent.buckets.find(([le]) => le === "60")![1]).toBe(1);
    expect(agent.buckets.find(([le]) => le === "30")![1]).toBe(0);
  });

  it.each([
    ["a double quote", 'say "hi"'],
    ["backslashes", "C:\\dir\\file"],
    ["a trailing backslash", "ends\\"],
    ["a newline", "line one\nline two"],
    ["Chinese", "华东区域 退款"],
    ["all of them", '\\"\n中"\\'],
  ])("round-trips a label value with %s", (_name, value) => {
    const text = renderFamilies([{ name: "holdfast_test_gauge", help: 'Help with \\ and\nnewline and "quotes".', type: "gauge", samples: [{ labels: { region: "weur", tricky: value }, value: 1 }] }]);
    const [family] = parsePrometheusTextFormat(text);
    expect(family!.metrics[0]!.labels).toEqual({ region: "weur", tricky: value });
    expect(family!.help).toBe('Help with \\ and\nnewline and "quotes".');
  });

  it("writes special values as the format spells them", () => {
    const text = renderFamilies([{ name: "x_gauge", help: "h", type: "gauge", samples: [{ labels: { v: "inf" }, value: Infinity }, { labels: { v: "ninf" }, value: -Infinity }, { labels: { v: "nan" }, value: NaN }] }]);
    expect(parsePrometheusTextFormat(text)[0]!.metrics.map((m) => m.value)).toEqual(["+Inf", "-Inf", "NaN"]);
  });

  it("refuses names the format or its conventions do not allow", () => {
    expect(() => renderFamilies([{ name: "holdfast_turns", help: "h", type: "counter", samples: [] }])).toThrow(/_total/);
    expect(() => renderFamilies([{ name: "holdfast-turns_total", help: "h", type: "counter", samples: [] }])).toThrow(/metric name/);
    expect(() => renderFamilies([{ name: "g", help: "h", type: "gauge", samples: [{ labels: { "bad-name": "x" }, value: 1 }] }])).toThrow(/label name/);
  });
});

describe("counters across scrapes and Durable Object restarts", () => {
  it("never go backwards: later scrapes, and scrapes after a restart from the last save, show at least as much", () => {
    const r = region("weur", 5);
    const first = counterSamples(metricsBody([r.metricsView(T + MIN)]));
    const saved = JSON.parse(JSON.stringify(r.toSnapshot(T + 2 * MIN)));
    r.markPersisted(saved);
    for (let i = 0; i < 3; i++) r.record(turn(T + 3 * MIN), T + 3 * MIN);
    const beforeRestart = counterSamples(metricsBody([r.metricsView(T + 3 * MIN)]));
    const afterRestart = counterSamples(metricsBody([Rollup.fromSnapshot(saved).metricsView(T + 4 * MIN)]));
    for (const [series, value] of first) expect(beforeRestart.get(series)).toBeGreaterThanOrEqual(value);
    for (const [series, value] of beforeRestart) expect(afterRestart.get(series)).toBeGreaterThanOrEqual(value);
    expect(afterRestart.size).toBe(first.size);
  });
});

describe("the version label: a gradual deployment's versions side by side", () => {
  const A = "0f3a2c1e-1111-4a4a-8b8b-000000000001";
  const B = "0f3a2c1e-2222-4a4a-8b8b-000000000002";
  const versionOf = (n: number) => `0f3a2c1e-3333-4a4a-8b8b-${String(n).padStart(12, "0")}`;

  /** Every sample of a family as [labels, value]. */
  const samplesOf = (body: string, name: string) => (parsePrometheusTextFormat(body).find((f) => f.name === name)?.metrics ?? []).map((m) => [m.labels ?? {}, Number(m.value)] as const);
  const sumWhere = (body: string, name: string, labels: Record<string, string>) =>
    samplesOf(body, name)
      .filter(([l]) => Object.entries(labels).every(([k, v]) => l[k] === v))
      .reduce((n, [, v]) => n + v, 0);

  it("puts the emitting version on every counter and histogram, and none on the region's gauges", () => {
    const r = new Rollup({ region: "weur" });
    for (let i = 0; i < 9; i++) r.record(turn(T, { version: A, latencyMs: 100 }), T);
    r.record(degradedTurn(T, { version: B }), T);
    r.record(turn(T, { version: B, decision: "error" }), T);
    r.record(handoff(T, { version: B }), T);
    r.markAllPersisted();
    const body = metricsBody([r.metricsView(T)]);
    expect(sumWhere(body, "holdfast_turns_total", { version: A })).toBe(9);
    expect(sumWhere(body, "holdfast_turns_total", { version: B })).toBe(2);
    expect(sampleValue(parsePrometheusTextFormat(body), "holdfast_turns_total", { version: B, mode: "normal", decision: "error" })).toBe(1);
    expect(sumWhere(body, "holdfast_degraded_turns_total", { version: A })).toBe(0);
    expect(sumWhere(body, "holdfast_degraded_turns_total", { version: B })).toBe(1);
    expect(sumWhere(body, "holdfast_handoffs_total", { version: B })).toBe(1);
    const latency = histogramSeries(body, "holdfast_turn_duration_seconds");
    expect(latency.get(JSON.stringify([["region", "weur"], ["mode", "normal"], ["version", A]]))!.count).toBe(9);
    expect(latency.get(JSON.stringify([["region", "weur"], ["mode", "degraded"], ["version", B]]))!.count).toBe(1);
    for (const f of parsePrometheusTextFormat(body)) {
      for (const m of f.metrics) {
        if (f.type === "GAUGE") expect(m.labels).not.toHaveProperty("version");
        else if (f.type === "COUNTER") expect(m.labels?.version).toMatch(/^(0f3a2c1e-|unknown$)/);
      }
    }
  });

  it("labels events that named no version, and an object of the release before versions, as unknown", () => {
    const r = new Rollup({ region: "apac" });
    r.record(turn(T), T);
    r.record(turn(T, { version: "not a version id" }), T);
    r.markAllPersisted();
    const { byVersion: _dropped, ...before } = r.metricsView(T);
    for (const view of [r.metricsView(T), before]) {
      const body = metricsBody([view]);
      expect(sampleValue(parsePrometheusTextFormat(body), "holdfast_turns_total", { version: "unknown", mode: "normal", decision: "answer" })).toBe(2);
    }
  });

  it("keeps the last four versions apart and folds older ones into other, the sum never going down", () => {
    const r = new Rollup({ region: "weur" });
    let previous = 0;
    for (let v = 1; v <= 9; v++) {
      for (let i = 0; i < v; i++) r.record(turn(T + v * MIN, { version: versionOf(v) }), T + v * MIN);
      r.markAllPersisted();
      const body = metricsBody([r.metricsView(T + v * MIN)]);
      const versions = new Set(samplesOf(body, "holdfast_turns_total").map(([l]) => l.version));
      expect(versions.size).toBeLessThanOrEqual(5);
      const total = sumWhere(body, "holdfast_turns_total", {});
      expect(total).toBe((v * (v + 1)) / 2);
      expect(total).toBeGreaterThanOrEqual(previous);
      previous = total;
    }
    const body = metricsBody([r.metricsView(T + 9 * MIN)]);
    expect([...new Set(samplesOf(body, "holdfast_turns_total").map(([l]) => l.version))].sort()).toEqual([versionOf(6), versionOf(7), versionOf(8), versionOf(9), "other"].sort());
    expect(sumWhere(body, "holdfast_turns_total", { version: "other" })).toBe(1 + 2 + 3 + 4 + 5);
  });

  it("keeps the versions across a restart from the last save, and reads a save from before versions as unknown", () => {
    const r = new Rollup({ region: "weur" });
    r.record(turn(T, { version: A }), T);
    r.record(turn(T, { version: B }), T);
    const saved = JSON.parse(JSON.stringify(r.toSnapshot(T + MIN)));
    const restored = Rollup.fromSnapshot(saved).metricsView(T + MIN);
    expect(Object.keys(restored.byVersion!).sort()).toEqual([A, B].sort());
    const { versions: _v, ...beforeVersions } = saved;
    const old = Rollup.fromSnapshot(beforeVersions).metricsView(T + MIN);
    expect(Object.keys(old.byVersion!)).toEqual(["unknown"]);
    expect(count(old.byVersion!.unknown!.normal, "turns")).toBe(2);
  });
});
