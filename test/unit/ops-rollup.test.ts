import { describe, expect, it } from "vitest";
import { overall } from "../../src/ops/aggregate.ts";
import { measure, seriesOf } from "../../src/ops/metrics.ts";
import { Rollup, type BucketJSON, type RollupSnapshot } from "../../src/ops/rollup.ts";
import { count } from "../../src/ops/tally.ts";
import type { RatingEvent } from "../../src/ops/events.ts";
import { agentReply, degradedChange, degradedTurn, ended, handoff, hashed, rating, turn } from "../support/ops-events.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
/** A fixed clock start, on a minute boundary plus 30 s. */
const T = Date.UTC(2026, 0, 5, 12, 0, 30);

const turnsIn = (r: Rollup, window: Parameters<Rollup["query"]>[0], now: number) => count(overall(r.query(window, now)), "turns");

describe("rolling per-minute and hourly buckets (fake clock)", () => {
  it("counts turns per label set and filters by language, mode and KB version", () => {
    const r = new Rollup({ region: "weur" });
    r.record(turn(T), T);
    r.record(turn(T, { language: "zh", kbVersion: 8 }), T);
    r.record(degradedTurn(T), T);
    const agg = r.query("1h", T);
    expect(Object.keys(agg.tallies).sort()).toEqual(["degraded|en|7|unknown", "normal|en|7|unknown", "normal|zh|8|unknown"]);
    expect(count(overall(r.query("1h", T, { language: "zh" })), "turns")).toBe(1);
    expect(count(overall(r.query("1h", T, { mode: "degraded" })), "degraded_turns")).toBe(1);
    expect(count(overall(r.query("1h", T, { kbVersion: 7 })), "turns")).toBe(2);
  });

  it("keeps a minute for 24 hours and an hour for 7 days", () => {
    const r = new Rollup({ region: "weur" });
    r.record(turn(T), T);
    expect(turnsIn(r, "1h", T + 59 * MIN)).toBe(1);
    expect(turnsIn(r, "1h", T + 61 * MIN)).toBe(0);
    expect(turnsIn(r, "24h", T + 23 * HOUR)).toBe(1);
    expect(turnsIn(r, "24h", T + 25 * HOUR)).toBe(0);
    expect(turnsIn(r, "7d", T + 6 * 24 * HOUR)).toBe(1);
    expect(turnsIn(r, "7d", T + 7 * 24 * HOUR + HOUR)).toBe(0);
  });

  it("reuses a minute's slot a day later without mixing the two days", () => {
    const r = new Rollup({ region: "weur" });
    r.record(turn(T), T);
    r.record(turn(T + 24 * HOUR), T + 24 * HOUR);
    expect(turnsIn(r, "24h", T + 24 * HOUR)).toBe(1);
    expect(turnsIn(r, "7d", T + 24 * HOUR)).toBe(2);
  });

  it("files late events under their own minute, drops what is past retention, and takes future times as now", () => {
    const r = new Rollup({ region: "weur" });
    const now = T + 2 * HOUR;
    r.record(turn(now - 30 * MIN), now);
    r.record(turn(now - 30 * HOUR), now);
    r.record(turn(now + 10 * MIN), now);
    expect(turnsIn(r, { minutes: 1 }, now)).toBe(1);
    expect(turnsIn(r, "1h", now)).toBe(2);
    expect(turnsIn(r, "24h", now)).toBe(2);
    expect(turnsIn(r, "7d", now)).toBe(3);
    expect(count(r.liveTotals().normal, "turns")).toBe(3);
  });

  it("stays bounded whatever the traffic: label sets per bucket are capped and the rest counted as other", () => {
    const r = new Rollup({ region: "weur", maxLabelSets: 8 });
    for (let v = 0; v < 500; v++) r.record(turn(T, { kbVersion: v }), T);
    const agg = r.query("1h", T);
    expect(Object.keys(agg.tallies)).toHaveLength(9);
    expect(count(agg.tallies["other|other|other|other"]!, "turns")).toBe(492);
    expect(count(overall(agg), "turns")).toBe(500);
  });

  it("holds at most 1440 minutes and 168 hours however long it runs", () => {
    const r = new Rollup({ region: "weur" });
    for (let m = 0; m < 10 * 24 * 60; m += 7) r.record(turn(T + m * MIN), T + m * MIN);
    const s = r.toSnapshot(T + 10 * 24 * HOUR);
    expect(s.minutes.length).toBeLessThanOrEqual(1440);
    expect(s.hours.length).toBeLessThanOrEqual(168);
  });

  it.each([
    ["an unknown decision", turn(T, { decision: "shrug" as never })],
    ["an unknown handoff reason", handoff(T, { reason: "whim" as never })],
    ["a rating out of range", { ...turn(T), type: "rating", score: 11 } as never],
    ["a latency that is not a number", turn(T, { latencyMs: Number.NaN })],
    ["an unknown mode", turn(T, { mode: "panic" as never })],
  ])("ignores an event with %s, so bad input cannot grow the counters", (_name, event) => {
    const r = new Rollup({ region: "weur" });
    expect(r.record(event, T)).toBe(false);
    expect(r.query("1h", T).tallies).toEqual({});
    expect(r.liveTotals().normal.counters).toEqual({});
  });

  it("keeps odd languages and text out of the labels", () => {
    const r = new Rollup({ region: "weur" });
    r.record(turn(T, { language: "I want my money back" }), T);
    expect(Object.keys(r.query("1h", T).tallies)).toEqual(["normal|other|7|unknown"]);
  });
});

describe("gauges and the handoff queue (fake clock)", () => {
  it("tracks the queue depth and the oldest wait, and forgets a conversation once answered or ended", () => {
    const r = new Rollup({ region: "weur" });
    r.record(handoff(T, { conversation: hashed(1) }), T);
    r.record(handoff(T + MIN, { conversation: hashed(2) }), T + MIN);
    r.record(handoff(T + 2 * MIN, { conversation: hashed(2) }), T + 2 * MIN);
    expect(r.current(T + 3 * MIN)).toMatchObject({ queueDepth: 2, oldestWaitSeconds: 180 });
    r.record(agentReply(T + 3 * MIN, 3 * MIN, { conversation: hashed(1) }), T + 3 * MIN);
    r.record(ended(T + 3 * MIN, { conversation: hashed(2) }), T + 3 * MIN);
    expect(r.current(T + 3 * MIN)).toMatchObject({ queueDepth: 0, oldestWaitSeconds: 0 });
  });

  it("counts an SLA breach once: when the wait passes the SLA, not again at the late reply", () => {
    const r = new Rollup({ region: "weur", queue: { slaMs: 5 * MIN, maxEntries: 100, maxAgeMs: 24 * HOUR } });
    r.record(handoff(T, { conversation: hashed(1) }), T);
    r.tick(T + 4 * MIN);
    expect(count(overall(r.query("1h", T + 4 * MIN)), "sla_breaches")).toBe(0);
    r.tick(T + 6 * MIN);
    r.tick(T + 7 * MIN);
    r.record(agentReply(T + 8 * MIN, 8 * MIN, { conversation: hashed(1) }), T + 8 * MIN);
    expect(count(overall(r.query("1h", T + 8 * MIN)), "sla_breaches")).toBe(1);
  });

  it("counts a breach at a late first reply the queue never saw waiting", () => {
    const r = new Rollup({ region: "weur" });
    r.record(agentReply(T, 20 * MIN, { conversation: hashed(9) }), T);
    r.record(agentReply(T, 2 * MIN, { conversation: hashed(8) }), T);
    expect(count(overall(r.query("1h", T)), "sla_breaches")).toBe(1);
    expect(measure("agent_first_response_p90", r.query("1h", T))!.value).toBeGreaterThan(600);
  });

  it("samples the replica lag, queue and degraded state into each minute as its maximum", () => {
    const r = new Rollup({ region: "weur" });
    r.record(turn(T, { replicaLagSeconds: 30 }), T);
    r.record(turn(T + 1_000, { replicaLagSeconds: 5 }), T + 1_000);
    r.record(degradedChange(T + 2_000, true), T + 2_000);
    r.record(handoff(T), T);
    r.tick(T + 20_000);
    const agg = r.query({ minutes: 1 }, T + 20_000);
    expect(agg.gauges).toMatchObject({ replica_lag_seconds: 30, degraded: 1, handoff_queue_depth: 1 });
    expect(r.current(T + 20_000)).toMatchObject({ replicaLagSeconds: 5, degraded: true, degradedReason: "llm_unavailable" });
    r.record(degradedChange(T + 30_000, false), T + 30_000);
    expect(r.current(T + 30_000)).toMatchObject({ degraded: false, degradedReason: null });
  });

  it("keeps breaker states, open or half-open counting as open, for a bounded set of names", () => {
    const r = new Rollup({ region: "weur" });
    r.setBreakers({ "replica:weur": "open", llm: "half_open", primary: "closed", "Bad Name!": "open" });
    expect(r.current(T).breakers).toEqual({ "replica:weur": 1, llm: 1, primary: 0 });
    for (let i = 0; i < 40; i++) r.setBreakers({ [`b${i}`]: "open" });
    expect(Object.keys(r.current(T).breakers)).toHaveLength(16);
  });
});

describe("recontacts (first-contact resolution)", () => {
  const customer = hashed(77);

  it.each([
    ["back within the window after a resolved conversation", { resolved: true, gap: 2 * HOUR }, 1],
    ["back after an unresolved conversation", { resolved: false, gap: 2 * HOUR }, 0],
    ["back after the window", { resolved: true, gap: 25 * HOUR }, 0],
  ])("counts a recontact for a customer %s: %j", (_name, { resolved, gap }, recontacts) => {
    const r = new Rollup({ region: "weur" });
    r.record(ended(T, { customer, askedForMoreWithinWindow: !resolved }), T);
    const start = T + gap;
    r.record(ended(start + 10 * MIN, { customer, startedAt: start, conversation: hashed(2) }), start + 10 * MIN);
    expect(count(overall(r.query("7d", start + 10 * MIN)), "recontacts")).toBe(recontacts);
  });
});

describe("CSAT: one rating per conversation", () => {
  /** A conversation's rating at `at` that replaces its earlier one (scored `previous` at `before`). */
  const rerated = (at: number, score: RatingEvent["score"], previous: RatingEvent["score"], before: number, over: Partial<RatingEvent> = {}) =>
    rating(at, score, { replaces: { score: previous, at: before, mode: "normal", language: "en", kbVersion: 7 }, ...over });
  const csat = (r: Rollup, window: Parameters<Rollup["query"]>[0], now: number) => {
    const t = overall(r.query(window, now));
    return { ratings: count(t, "ratings"), sum: count(t, "rating_sum"), twos: count(t, "rating:2"), fives: count(t, "rating:5") };
  };

  it("takes a replaced rating out of the minute and hour it was counted in, and counts the new one where it is made", () => {
    const r = new Rollup({ region: "weur" });
    r.record(rating(T, 2), T);
    r.record(rerated(T + 5 * MIN, 5, 2, T), T + 5 * MIN);
    expect(csat(r, "1h", T + 5 * MIN)).toEqual({ ratings: 1, sum: 5, twos: 0, fives: 1 });
    expect(csat(r, "7d", T + 5 * MIN)).toEqual({ ratings: 1, sum: 5, twos: 0, fives: 1 });
    // The minute of the first rating holds nothing any more; a window of only it shows no rating.
    expect(count(overall(r.query({ minutes: 1 }, T)), "ratings")).toBe(0);
  });

  it("replaces a rating again and again, and it still counts once", () => {
    const r = new Rollup({ region: "weur" });
    r.record(rating(T, 2), T);
    for (let i = 1; i <= 50; i++) r.record(rerated(T + i * 1000, i % 2 ? 5 : 2, i % 2 ? 2 : 5, T + (i - 1) * 1000), T + i * 1000);
    expect(csat(r, "1h", T + MIN)).toEqual({ ratings: 1, sum: 2, twos: 1, fives: 0 });
  });

  it("takes the replaced rating out of the label set it went to, even when the conversation's slice changed since", () => {
    const r = new Rollup({ region: "weur" });
    r.record(rating(T, 2), T);
    r.record(rerated(T + MIN, 5, 2, T, { language: "zh", kbVersion: 8 }), T + MIN);
    expect(count(overall(r.query("1h", T + MIN, { language: "en" })), "ratings")).toBe(0);
    expect(count(overall(r.query("1h", T + MIN, { language: "zh" })), "rating:5")).toBe(1);
  });

  it("takes the replaced rating out of the Worker version it was counted under, when a newer version rates again", () => {
    const [A, B] = ["0f3a2c1e-7777-4a4a-8b8b-00000000000a", "0f3a2c1e-7777-4a4a-8b8b-00000000000b"];
    const r = new Rollup({ region: "weur" });
    r.record(rating(T, 2, { version: A }), T);
    r.record(rating(T + MIN, 5, { version: B, replaces: { score: 2, at: T, mode: "normal", language: "en", kbVersion: 7, version: A } }), T + MIN);
    expect(count(overall(r.query("1h", T + MIN, { version: A })), "ratings")).toBe(0);
    expect(count(overall(r.query("1h", T + MIN, { version: B })), "rating:5")).toBe(1);
    r.markAllPersisted();
    expect(count(r.metricsView(T + MIN).byVersion![A]!.normal, "rating_replaced:2")).toBe(1);
  });

  it("counts the new rating alone when the replaced one is past retention or never arrived", () => {
    const r = new Rollup({ region: "weur" });
    r.record(rerated(T, 5, 3, T - 8 * 24 * HOUR), T);
    r.record(rerated(T, 4, 2, T - MIN, { conversation: hashed(2) }), T);
    expect(csat(r, "1h", T)).toEqual({ ratings: 2, sum: 9, twos: 0, fives: 1 });
  });

  it("keeps the cumulative totals growing: the replaced one is counted as replaced, and survives a restore", () => {
    const r = new Rollup({ region: "weur" });
    r.record(rating(T, 2), T);
    r.record(rerated(T + MIN, 5, 2, T), T + MIN);
    const totals = r.liveTotals().normal;
    expect([count(totals, "rating:2"), count(totals, "rating:5"), count(totals, "rating_replaced:2")]).toEqual([1, 1, 1]);
    const restored = Rollup.fromSnapshot(JSON.parse(JSON.stringify(r.toSnapshot(T + MIN))) as RollupSnapshot);
    expect(csat(restored, "1h", T + MIN)).toEqual({ ratings: 1, sum: 5, twos: 0, fives: 1 });
  });

  it.each([
    ["a replaced score out of range", { score: 9, at: T, mode: "normal", language: "en", kbVersion: 7 }],
    ["a replaced time that is not a number", { score: 2, at: "yesterday", mode: "normal", language: "en", kbVersion: 7 }],
  ])("ignores a rating with %s", (_name, replaces) => {
    const r = new Rollup({ region: "weur" });
    expect(r.record(rating(T, 5, { replaces: replaces as never }), T)).toBe(false);
  });
});

describe("series", () => {
  it("gives one point per step with the metric's value, and null where there is no data", () => {
    const r = new Rollup({ region: "weur" });
    const now = T + 59 * MIN;
    r.record(turn(now), now);
    r.record(degradedTurn(now), now);
    r.record(turn(now - 10 * MIN), now);
    const s = r.series("degraded_share", "1h", now);
    expect(s.step).toBe(MIN);
    expect(s.points).toHaveLength(60);
    expect(s.points.at(-1)!.value).toBe(0.5);
    expect(s.points.at(-11)!.value).toBe(0);
    expect(s.points.at(-2)!.value).toBeNull();
  });

  it("merges several regions step by step, histograms included, for an all-regions chart", () => {
    const weur = new Rollup({ region: "weur" });
    const apac = new Rollup({ region: "apac" });
    for (let i = 0; i < 99; i++) weur.record(turn(T, { latencyMs: 50 }), T);
    apac.record(turn(T, { region: "apac", latencyMs: 9_000 }), T);
    apac.record(turn(T, { region: "apac", latencyMs: 9_000 }), T);
    const both = seriesOf("turn_latency_p99", [weur.steps("1h", T), apac.steps("1h", T)]);
    expect(weur.series("turn_latency_p99", "1h", T).points.at(-1)!.value!).toBeLessThanOrEqual(0.05);
    expect(both.points.at(-1)!.value!).toBeGreaterThan(5);
    expect(seriesOf("turns", [weur.steps("1h", T), apac.steps("1h", T)]).points.at(-1)!.value).toBe(101);
  });

  it("rounds steps up to the bucket size and uses hours for 7 days", () => {
    const r = new Rollup({ region: "weur" });
    expect(r.series("turns", "24h", T, 90_000).step).toBe(2 * MIN);
    expect(r.series("turns", "24h", T).points).toHaveLength(96);
    const week = r.series("turns", "7d", T, MIN);
    expect(week.step).toBe(HOUR);
    expect(week.points).toHaveLength(168);
  });
});

describe("snapshots and monotonic totals across restarts", () => {
  function busy() {
    const r = new Rollup({ region: "weur" });
    for (let i = 0; i < 30; i++) r.record(i % 3 ? turn(T + i * 10_000) : degradedTurn(T + i * 10_000), T + i * 10_000);
    r.record(handoff(T), T);
    r.record(ended(T, { customer: hashed(5) }), T);
    r.setBreakers({ llm: "open" });
    return r;
  }

  it("restores from JSON to the same queries, gauges and totals", () => {
    const r = busy();
    const now = T + 10 * MIN;
    const copy = Rollup.fromSnapshot(JSON.parse(JSON.stringify(r.toSnapshot(now))) as RollupSnapshot);
    expect(copy.query("24h", now)).toEqual(r.query("24h", now));
    expect(copy.query("7d", now)).toEqual(r.query("7d", now));
    expect(copy.current(now)).toEqual(r.current(now));
    expect(copy.liveTotals()).toEqual(r.liveTotals());
  });

  it("exposes only persisted totals, so counters never go backwards when unsaved events are lost", () => {
    const r = busy();
    expect(count(r.metricsView(T).totals.normal, "turns")).toBe(0);
    const saved = JSON.parse(JSON.stringify(r.toSnapshot(T + MIN))) as RollupSnapshot;
    r.markPersisted(saved);
    const exposed = r.metricsView(T + MIN).totals;
    for (let i = 0; i < 5; i++) r.record(turn(T + 2 * MIN), T + 2 * MIN);
    expect(r.metricsView(T + 2 * MIN).totals).toEqual(exposed);
    // The DO is evicted before saving again: it restarts from the last save.
    const restarted = Rollup.fromSnapshot(saved);
    const after = restarted.metricsView(T + 3 * MIN).totals;
    expect(count(after.normal, "turns")).toBeGreaterThanOrEqual(count(exposed.normal, "turns"));
    expect(count(after.degraded, "turns")).toBeGreaterThanOrEqual(count(exposed.degraded, "turns"));
    restarted.record(turn(T + 4 * MIN), T + 4 * MIN);
    restarted.markPersisted(restarted.toSnapshot(T + 4 * MIN));
    expect(count(restarted.metricsView(T + 4 * MIN).totals.normal, "turns")).toBe(count(exposed.normal, "turns") + 1);
  });

  it("never lowers exposed totals when an older save is acknowledged after a newer one", () => {
    const r = busy();
    const older = r.toSnapshot(T);
    r.record(turn(T + MIN), T + MIN);
    r.markPersisted(r.toSnapshot(T + MIN));
    const exposed = count(r.metricsView(T + MIN).totals.normal, "turns");
    r.markPersisted(older);
    expect(count(r.metricsView(T + MIN).totals.normal, "turns")).toBe(exposed);
  });

  it("never shows a version twice when a save taken before a version was folded into other is acknowledged after", () => {
    const v = (n: number) => `0f3a2c1e-4444-4a4a-8b8b-${String(n).padStart(12, "0")}`;
    const r = new Rollup({ region: "weur", maxVersions: 2 });
    r.record(turn(T, { version: v(1) }), T);
    r.record(turn(T + MIN, { version: v(2) }), T + MIN);
    const beforeFold = r.toSnapshot(T + MIN);
    r.record(turn(T + 2 * MIN, { version: v(3) }), T + 2 * MIN);
    r.markAllPersisted();
    r.markPersisted(beforeFold);
    const exposed = r.metricsView(T + 2 * MIN);
    expect(Object.keys(exposed.byVersion!).sort()).toEqual([v(2), v(3), "other"].sort());
    expect(count(exposed.totals.normal, "turns")).toBe(3);
    expect(count(exposed.byVersion!.other!.normal, "turns")).toBe(1);
  });

  it("files each version's turns under its own label, which queries filter by", () => {
    const A = "0f3a2c1e-5555-4a4a-8b8b-00000000000a";
    const r = new Rollup({ region: "weur" });
    r.record(turn(T, { version: A }), T);
    r.record(turn(T), T);
    expect(Object.keys(r.query("1h", T).tallies).sort()).toEqual([`normal|en|7|${A}`, "normal|en|7|unknown"]);
    expect(count(overall(r.query("1h", T, { version: A })), "turns")).toBe(1);
    // A bucket saved before versions were labels (keys of three parts) reads as version unknown.
    const old = new Rollup({ region: "weur" });
    old.record(turn(T, { version: A }), T);
    const snap = JSON.parse(JSON.stringify(old.toSnapshot(T))) as RollupSnapshot;
    for (const b of snap.minutes) b.t = b.t.map(([k, t]) => [k.split("|").slice(0, 3).join("|"), t]);
    expect(count(overall(Rollup.fromSnapshot(snap).query("1h", T, { version: "unknown" })), "turns")).toBe(1);
  });

  it("hands out only the buckets changed since the last save, which rebuild the same state", () => {
    const r = new Rollup({ region: "weur" });
    const rows = new Map<string, BucketJSON>();
    const save = (now: number) => {
      const c = r.takeChanges(now);
      for (const b of c.minutes) rows.set(`m:${b.s}`, b);
      for (const b of c.hours) rows.set(`h:${b.s}`, b);
      for (const [k, b] of rows) if (b.s < (k.startsWith("m") ? c.keepMinutesFrom : c.keepHoursFrom)) rows.delete(k);
      return c;
    };
    r.record(turn(T), T);
    expect(save(T).minutes).toHaveLength(1);
    r.record(turn(T + 5 * MIN), T + 5 * MIN);
    const second = save(T + 5 * MIN);
    expect(second.minutes.map((b) => b.s)).toEqual([T - 30_000 + 5 * MIN]);
    expect(second.hours).toHaveLength(1);
    expect(save(T + 6 * MIN).minutes).toHaveLength(0);
    const last = save(T + 6 * MIN);
    const snapshot: RollupSnapshot = { ...last.head, minutes: [...rows].filter(([k]) => k.startsWith("m")).map(([, b]) => b), hours: [...rows].filter(([k]) => k.startsWith("h")).map(([, b]) => b) };
    expect(Rollup.fromSnapshot(snapshot).query("24h", T + 6 * MIN)).toEqual(r.query("24h", T + 6 * MIN));
  });
});
