// The short chaos drill, in CI: SIGKILL the server mid-conversation, restart it on the same
// state, and nothing acknowledged may be lost, duplicated, reordered or left unanswered.
// The llm-fault variant uses a FAKE OpenAI-compatible server (no model runs offline). The
// handoff variant puts scripted agents in the middle: their messages count the same, the
// bot is silent while they have a conversation, and the agent who left keeps nothing. The dr
// variant loses the KB primary, restores it from a snapshot and wipes a replica.
// The canary variant: a bad KB release rolled back by the guard, never read by a stable
// conversation, and a good one promoted.
import { describe, expect, it } from "vitest";
import { runCanaryDrill } from "../../scripts/drill/canary.ts";
import { runDrill, type Variant } from "../../scripts/drill/run.ts";

describe("chaos drill (short)", () => {
  it.each<Variant>(["basic", "primary-down", "llm-fault"])("%s: zero lost and zero duplicated acknowledged messages across a SIGKILL", async (variant) => {
    const report = await runDrill({ variant, conversations: 6, before: 3, after: 4, pacingMs: 200 });
    expect(report.acknowledged).toBeGreaterThan(20);
    expect(report.retried).toBeGreaterThan(0);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unanswered: 0, ok: true });
  }, 180_000);

  it("dr: the KB primary lost, restored from its latest snapshot, a region's replica wiped; nothing acknowledged lost beyond the snapshot, every step recovers", async () => {
    const report = await runDrill({ variant: "dr", conversations: 4, before: 6, outage: 6, after: 3, backupEverySeconds: 4, pacingMs: 250 });
    const dr = report.dr!;
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unanswered: 0 });
    expect(report.acknowledged).toBeGreaterThan(20);
    // Losses and recoveries are checked here; times against the RPO and RTO targets are the drill's to report.
    expect(dr.steps.map((s) => s.problems.filter((p) => !p.target).map((p) => p.what))).toEqual([[], [], []]);
    expect(dr.alertAfterSeconds).not.toBeNull();
    expect(dr.steps[0]!.degraded).toBeGreaterThan(0);
    expect(dr.writes.acknowledged).toBeGreaterThan(3);
    expect(dr.writes.refused).toBeGreaterThan(0);
  }, 300_000);

  it("handoff: zero lost and zero duplicated customer and agent messages across a SIGKILL, agents' replies to a mail sent once, and nothing left with the agent who is gone", async () => {
    const report = await runDrill({ variant: "handoff", conversations: 6, before: 3, after: 5, pacingMs: 200 });
    expect(report.acknowledged).toBeGreaterThan(20);
    expect(report.agentAcknowledged).toBeGreaterThan(10);
    expect(report.heldForAgents).toBeGreaterThan(10);
    expect(report.goneAgentHad).toBeGreaterThan(0);
    expect(report.mailReplies).toBeGreaterThan(0);
    expect(report.mailUnsentAtKill).toBeGreaterThan(0);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, agentLost: 0, agentDuplicated: 0, agentOutOfOrder: 0, leftWithGoneAgent: 0, mailLost: 0, mailDuplicated: 0, ok: true });
  }, 180_000);

  // At the guard's default alpha (5%), seeded simulations like this drill roll back about 3
  // good releases in 100 by chance, and CI failed on one; at 1% it is under 1 in 100, and the
  // bad release is caught as fast.
  it("canary: the guard rolls back a bad KB release by itself, no stable conversation reads the candidate, and a good release is promoted", async () => {
    const report = await runCanaryDrill({ concurrency: 6, percent: 20, minConversations: 8, alpha: 0.01, maxMinutes: 0.25, timeoutMs: 90_000, log: (line) => console.log(line) });
    expect(report.bad).toMatchObject({ state: "rolled_back", closedBy: "system:guard" });
    expect(report.bad.exposed).toBeGreaterThan(0);
    expect(report.good).toMatchObject({ state: "promoted", closedBy: "system:guard" });
    expect(report.good.newAnswered).toBeGreaterThan(0);
    expect(report.candidateToStable).toBe(0);
    expect(report.ok).toBe(true);
  }, 180_000);
});
