import { describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../src/ops/alert-rules.ts";
import { DegradedState } from "../../src/ops/degraded-state.ts";
import { gapQuestion, gapReasonOf } from "../../src/ops/gap-input.ts";
import { findGap, gapRef, mergeGaps, parseGapRef, type RegionGaps } from "../../src/ops/gap-merge.ts";
import { GapClusters } from "../../src/ops/gaps.ts";
import { EMPTY_SAVE, RegionOps, type OpsChanges, type SavedOps } from "../../src/ops/region-ops.ts";
import { mayKeepQuestionText } from "../../src/ops/residency.ts";
import { count } from "../../src/ops/tally.ts";
import { overall } from "../../src/ops/aggregate.ts";
import { degradedTurn, handoff, turn } from "../support/ops-events.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const at = (minute: number, second = 0) => T0 + minute * MIN + second * 1_000;

describe("a region's degraded state, derived from its replies", () => {
  it("switches after two replies in a row of the other mode, and not on a single odd one", () => {
    const s = new DegradedState();
    const seen = ["normal", "degraded", "normal", "degraded", "degraded", "degraded", "normal", "normal"].map((m) => s.observe(m as "normal", m === "degraded" ? "replica_unavailable" : null));
    expect(seen).toEqual([null, null, null, null, { degraded: true, reason: "replica_unavailable" }, null, null, { degraded: false, reason: null }]);
  });
});

describe("which questions feed the gap report", () => {
  it.each([
    ["an out-of-scope question", "question", { mode: "normal", decision: "out_of_scope", handoffReason: null }, "no_answer"],
    ["a person offered after failed answers", "question", { mode: "normal", decision: "offer_handoff", handoffReason: "repeated_failures" }, "no_answer"],
    ["a person the customer asked for", "question", { mode: "normal", decision: "offer_handoff", handoffReason: "customer_request" }, null],
    ["a clarification with candidates", "question", { mode: "normal", decision: "clarify", handoffReason: null }, "low_confidence"],
    ["an answer", "question", { mode: "normal", decision: "answer", handoffReason: null }, null],
    ["a degraded reply (an outage, not a gap)", "question", { mode: "degraded", decision: "out_of_scope", handoffReason: null }, null],
    ["a greeting", "greeting", { mode: "normal", decision: "out_of_scope", handoffReason: null }, null],
  ] as const)("%s: %s", (_name, kind, facts, reason) => {
    expect(gapReasonOf(kind, facts)).toBe(reason);
  });

  it("keeps only the redacted text, whole pieces of personal data replaced before it is cut", () => {
    const q = gapQuestion(`${"x ".repeat(140)}write to jane.doe@example.com or call +44 20 7946 0958 ${"y".repeat(400)}`, "en", "no_answer", T0)!;
    expect(q.text).not.toContain("jane");
    expect(q.text).toContain("[email]");
    expect(q.text.length).toBeLessThanOrEqual(300);
    expect(gapQuestion("   ", "en", "no_answer", T0)).toBeNull();
  });

  it.each([
    ["weur", "eu", true],
    ["eeur", "eu", true],
    ["apac", "eu", false],
    ["apac", null, true],
  ] as const)("question text of a %s conversation in jurisdiction %s may be kept there: %s", (region, jurisdiction, kept) => {
    expect(mayKeepQuestionText(region, jurisdiction)).toBe(kept);
  });
});

describe("the gap report across regions", () => {
  const region = (name: "weur" | "apac", questions: string[], drafts: Record<string, string> = {}): RegionGaps => {
    const g = new GapClusters();
    questions.forEach((text, i) => g.add({ language: "en", text, reason: "no_answer", at: T0 + i }));
    return { region: name, gaps: g.toJSON(), drafts };
  };

  it("merges one topic asked in several regions, keeps others apart, and names it by its largest member", () => {
    const weur = region("weur", ["telescope lens repair", "repair my telescope lens", "can you repair a telescope lens", "gift wrapping for birthdays"]);
    const apac = region("apac", ["telescope lens repair please"]);
    const merged = mergeGaps([weur, apac]);
    expect(merged.map((g) => [g.count, g.regions])).toEqual([
      [4, ["weur", "apac"]],
      [1, ["weur"]],
    ]);
    const telescope = merged[0]!;
    expect(telescope.id).toBe(gapRef("weur", weur.gaps.find((g) => g.count === 3)!.id));
    expect(findGap(merged, telescope.members[1]!)).toBe(telescope);
    expect(parseGapRef(telescope.id)).toEqual({ region: "weur", id: weur.gaps.find((g) => g.count === 3)!.id });
    expect(parseGapRef("mars.gap_en_0123456789abcdef")).toBeNull();
  });

  it("shows the draft made from any member", () => {
    const apac = region("apac", ["telescope lens repair please"]);
    const withDraft = { ...apac, drafts: { [apac.gaps[0]!.id]: "en:telescope-lens-repair" } };
    expect(mergeGaps([region("weur", ["telescope lens repair", "repair my telescope lens"]), withDraft])[0]!.draft).toBe("en:telescope-lens-repair");
  });
});

describe("a region's ops state (fake clock)", () => {
  const options = { rules: DEFAULT_RULES, webhook: true };
  const roundTrip = (c: OpsChanges, saved: SavedOps): SavedOps => {
    const minutes = new Map(saved.rollup?.minutes.map((b) => [b.s, b]));
    const hours = new Map(saved.rollup?.hours.map((b) => [b.s, b]));
    for (const b of c.rollup.minutes) minutes.set(b.s, b);
    for (const b of c.rollup.hours) hours.set(b.s, b);
    const gaps = new Map(saved.gaps.map((g) => [g.id, g]));
    for (const g of c.gaps) gaps.set(g.id, g);
    for (const id of c.deletedGaps) gaps.delete(id);
    return JSON.parse(JSON.stringify({ rollup: { ...c.rollup.head, minutes: [...minutes.values()].filter((b) => b.s >= c.rollup.keepMinutesFrom), hours: [...hours.values()] }, gaps: [...gaps.values()], drafts: c.drafts, alerts: c.alerts, outbox: c.outbox }));
  };

  it("records a degraded_change when the region's replies turn degraded, fires and queues a notice, and restores it all from what it saved", () => {
    const ops = new RegionOps("weur", EMPTY_SAVE, options);
    const { derived } = ops.ingest({ events: [degradedTurn(at(0, 1)), degradedTurn(at(0, 2)), degradedTurn(at(0, 3))], gaps: [{ language: "en", text: "telescope lens repair", reason: "no_answer", at: at(0, 4) }], breakers: { "replica:weur": "open" } }, at(0, 5));
    expect(derived).toMatchObject([{ type: "degraded_change", degraded: true, reason: "llm_unavailable", region: "weur" }]);
    const notices = ops.minute(at(0, 59));
    expect(notices.map((n) => `${n.kind}:${n.alert.ruleId}:${n.alert.level}`)).toEqual(["fired:degraded_share:critical"]);
    expect(ops.due(at(0, 59))).toHaveLength(0);
    const cause = { at: at(0, 59), hint: "circuit breaker replica:weur is open", signals: [{ kind: "breaker" as const, name: "replica:weur", score: 0.8 }] };
    ops.publish(notices.map((n) => ({ ...n, alert: { ...n.alert, likelyCause: cause } })), [], at(0, 59));
    expect(ops.due(at(0, 59))).toHaveLength(1);
    expect(JSON.parse(ops.due(at(0, 59))[0]!.body).alert).toMatchObject({ runbook: "docs/runbooks/degraded-share.md", likelyCause: cause, remediation: [] });
    expect(ops.alerts().open[0]!.likelyCause).toEqual(cause);
    expect(ops.metricsView(at(0, 59)).totals.degraded.counters).toEqual({});

    const c = ops.changes(at(0, 59));
    ops.saved(c);
    expect(count(ops.metricsView(at(0, 59)).totals.degraded, "turns")).toBe(3);
    const restored = new RegionOps("weur", roundTrip(c, EMPTY_SAVE), options);
    expect(restored.query("1h", at(1)).tallies).toEqual(ops.query("1h", at(1)).tallies);
    expect(restored.alerts().open).toHaveLength(1);
    expect(restored.due(at(1))).toHaveLength(1);
    expect(restored.metricsView(at(1)).gauges).toMatchObject({ degraded: true, breakers: { "replica:weur": 1 } });
    expect(restored.gaps({}).gaps.map((g) => g.examples)).toEqual([["telescope lens repair"]]);
  });

  it("saves only what changed: buckets and gaps since the last save, closed gaps as deletions", () => {
    const ops = new RegionOps("weur", EMPTY_SAVE, options);
    ops.ingest({ events: [turn(at(0, 1))], gaps: [{ language: "en", text: "telescope lens repair", reason: "no_answer", at: at(0, 1) }], breakers: null }, at(0, 2));
    const first = ops.changes(at(0, 3));
    ops.saved(first);
    expect([first.rollup.minutes.length, first.gaps.length]).toEqual([1, 1]);
    const second = ops.changes(at(0, 4));
    ops.saved(second);
    expect([second.rollup.minutes.length, second.gaps.length, second.deletedGaps.length]).toEqual([0, 0, 0]);
    const [gap] = ops.gaps({}).gaps;
    ops.markDraft([gap!.id], "en:telescope-lens-repair");
    expect(ops.gaps({}).drafts).toEqual({ [gap!.id]: "en:telescope-lens-repair" });
    expect(ops.closeGaps([gap!.id, "gap_en_0000000000000000"])).toBe(1);
    expect(ops.changes(at(0, 5))).toMatchObject({ gaps: [], deletedGaps: [gap!.id], drafts: {} });
  });

  it("counts an event or a question sent again once, and says which events it counted (to log)", () => {
    const ops = new RegionOps("weur", EMPTY_SAVE, options);
    const batch = { events: [turn(at(0, 1), { id: "e".repeat(32) }), handoff(at(0, 1), { id: "f".repeat(32) })], gaps: [{ id: "g".repeat(32), language: "en", text: "telescope lens repair", reason: "no_answer" as const, at: at(0, 1) }], breakers: null };
    expect(ops.ingest(batch, at(0, 2))).toMatchObject({ counted: batch.events, gapsChanged: true });
    // The sender did not hear back and sent the batch again, with one new event.
    const again = ops.ingest({ ...batch, events: [...batch.events, turn(at(0, 3), { id: "h".repeat(32) })] }, at(0, 4));
    expect(again).toMatchObject({ counted: [{ id: "h".repeat(32) }], gapsChanged: false });
    expect(count(overall(ops.query("1h", at(0, 5))), "turns")).toBe(2);
    expect(count(overall(ops.query("1h", at(0, 5))), "handoffs")).toBe(1);
    expect(ops.gaps({}).gaps.map((g) => g.count)).toEqual([1]);
  });

  it("shows at /metrics what it logged, and a restart that replays the log shows the same, counting nothing twice", () => {
    const ops = new RegionOps("weur", EMPTY_SAVE, options);
    const first = ops.ingest({ events: [turn(at(0, 1), { id: "a".repeat(32) })], gaps: [], breakers: null }, at(0, 1));
    ops.logged();
    const saved = ops.changes(at(0, 2));
    ops.saved(saved);
    const second = ops.ingest({ events: [turn(at(0, 3), { id: "b".repeat(32) }), degradedTurn(at(0, 3), { id: "c".repeat(32) })], gaps: [], breakers: null }, at(0, 3));
    ops.logged();
    const shown = ops.metricsView(at(0, 4)).totals;
    expect(count(shown.normal, "turns") + count(shown.degraded, "turns")).toBe(3);

    const restarted = new RegionOps("weur", roundTrip(saved, EMPTY_SAVE), options);
    restarted.replay(first.counted, at(0, 1), true);
    restarted.replay(second.counted, at(0, 3), false);
    restarted.logged();
    expect(restarted.metricsView(at(0, 5)).totals).toEqual(shown);
    expect(restarted.query("1h", at(0, 5)).tallies).toEqual(ops.query("1h", at(0, 5)).tallies);
    // The sender's retries of both batches count nothing.
    expect(restarted.ingest({ events: [...first.counted, ...second.counted], gaps: [], breakers: null }, at(0, 6)).counted).toEqual([]);
  });

  it("erases a conversation's gap examples, saves that at once, and drops its questions still on their way", () => {
    const ops = new RegionOps("weur", EMPTY_SAVE, options);
    const erased = "e".repeat(32);
    const ask = (text: string, conversation: string, second: number) => ({ events: [], gaps: [{ language: "en", text, reason: "no_answer" as const, at: at(0, second), conversation }], breakers: null });
    ops.ingest(ask("telescope lens repair for Zebulon Quarry", erased, 1), at(0, 1));
    ops.ingest(ask("repair my telescope lens", "f".repeat(32), 2), at(0, 2));
    ops.saved(ops.changes(at(0, 3)));
    expect(ops.forgetConversation(erased, at(0, 4))).toBe(true);
    const changes = ops.gapChanges();
    expect(JSON.stringify(changes.gaps)).not.toContain("Zebulon");
    expect(changes.gaps).toHaveLength(1);
    // A question of the erased conversation that was still in a batch.
    expect(ops.ingest(ask("telescope lens repair at 12 Mill Lane", erased, 5), at(0, 5)).gapsChanged).toBe(false);
    expect(ops.gaps({}).gaps.flatMap((g) => g.examples)).toEqual(["repair my telescope lens"]);
    expect(ops.forgetConversation("0".repeat(32), at(0, 6))).toBe(false);
  });

  it("wakes every minute while busy, sooner for a retry, and not at all once idle", () => {
    const quiet = new RegionOps("weur", EMPTY_SAVE, { ...options, idleAfterMs: 15 * MIN });
    expect(quiet.nextWakeAt(at(0))).toBeNull();
    quiet.ingest({ events: [turn(at(0, 10))], gaps: [], breakers: null }, at(0, 10));
    expect(quiet.nextWakeAt(at(0, 10))).toBe(at(1, 1));
    expect(quiet.nextWakeAt(at(16))).toBeNull();

    const failing = new RegionOps("weur", EMPTY_SAVE, options);
    failing.ingest({ events: [degradedTurn(at(0, 20)), degradedTurn(at(0, 21)), degradedTurn(at(0, 22))], gaps: [], breakers: null }, at(0, 22));
    failing.publish(failing.minute(at(0, 30)), [], at(0, 30));
    const [entry] = failing.due(at(0, 30));
    expect(failing.failed(entry!.id, at(0, 30))).toBe("retry");
    expect(failing.nextWakeAt(at(0, 30))).toBe(at(0, 35));

    // A handoff still waiting keeps the region ticking (SLA breaches) long after its last event.
    const waiting = new RegionOps("weur", EMPTY_SAVE, options);
    waiting.ingest({ events: [handoff(at(0, 10))], gaps: [], breakers: null }, at(0, 10));
    expect(waiting.nextWakeAt(at(60))).toBe(at(61, 1));
    expect(count(overall(waiting.query("1h", at(0, 30))), "handoffs")).toBe(1);
  });
});
