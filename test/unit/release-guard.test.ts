import { describe, expect, it } from "vitest";
import { armOf, decide, DEFAULT_GUARD, guardOf, testMetric, type ArmStats, type MetricSums } from "../../src/releases/guard.ts";
import { seededRandom as seeded } from "../../src/kb/model/classifier.ts";
import { toRelease } from "../../src/releases/repository.ts";
import type { KbReleaseRow } from "../../src/kb/schema.ts";

const sums = (): MetricSums => ({ n: 0, sum: 0, sumSq: 0 });
const add = (s: MetricSums, x: number) => ((s.n += 1), (s.sum += x), (s.sumSq += x * x));
const arm = (): ArmStats => ({ conversations: 0, turns: 0, answered: sums(), wrong: sums(), handoff: sums(), outOfScope: sums(), clarifications: 0, picks: 0, latencyMs: null });

interface Behaviour {
  wrong: number;
  handoff: number;
  answered: number;
}

/** One simulated conversation: 1-3 questions, each answered with `answered`; a wrong sign, a handoff. */
function converse(stats: ArmStats, b: Behaviour, random: () => number): void {
  const turns = 1 + Math.floor(random() * 3);
  let answered = 0;
  for (let i = 0; i < turns; i++) if (random() < b.answered) answered++;
  stats.conversations++;
  stats.turns += turns;
  add(stats.answered, answered / turns);
  add(stats.outOfScope, (turns - answered) / turns);
  add(stats.wrong, answered && random() < b.wrong ? 1 : 0);
  add(stats.handoff, random() < b.handoff ? 1 : 0);
}

/** Runs a release: `total` conversations, `percent` to the canary, the guard asked after each. */
function run(seed: number, canaryB: Behaviour, stableB: Behaviour, percent: number, total: number, alpha = DEFAULT_GUARD.alpha) {
  const random = seeded(seed);
  const canary = arm();
  const stable = arm();
  for (let i = 1; i <= total; i++) {
    const isCanary = random() * 100 < percent;
    converse(isCanary ? canary : stable, isCanary ? canaryB : stableB, random);
    const decision = decide(canary, stable, 0, { ...DEFAULT_GUARD, minConversations: 10, alpha });
    if (decision.type === "rollback") return { rolledBack: true, exposed: canary.conversations, at: i };
  }
  return { rolledBack: false, exposed: canary.conversations, at: total };
}

const STABLE: Behaviour = { wrong: 0.15, handoff: 0.05, answered: 0.7 };

describe("the release guard", () => {
  it("rolls back a release that is no worse in under 5% of seeded simulations, looked at after every conversation", () => {
    const runs = 300;
    let rolledBack = 0;
    for (let seed = 1; seed <= runs; seed++) if (run(seed, STABLE, STABLE, 20, 1500).rolledBack) rolledBack++;
    expect(rolledBack / runs).toBeLessThan(0.05);
  });

  it("catches answers swapped between articles after tens of canary conversations", () => {
    const bad: Behaviour = { wrong: 0.7, handoff: 0.1, answered: 0.7 };
    const exposed: number[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const r = run(seed, bad, STABLE, 20, 2000);
      expect(r.rolledBack).toBe(true);
      exposed.push(r.exposed);
    }
    exposed.sort((a, b) => a - b);
    expect(exposed[Math.floor(exposed.length / 2)]).toBeLessThan(40);
  });

  it("with a stricter alpha, rolls back fewer releases that are no worse and still catches swapped answers", () => {
    const bad: Behaviour = { wrong: 0.7, handoff: 0.1, answered: 0.7 };
    let [usual, strict] = [0, 0];
    for (let seed = 1; seed <= 300; seed++) {
      if (run(seed, STABLE, STABLE, 20, 1500).rolledBack) usual++;
      if (run(seed, STABLE, STABLE, 20, 1500, 0.01).rolledBack) strict++;
    }
    expect(strict).toBeLessThan(usual);
    expect(strict / 300).toBeLessThan(0.01);
    for (let seed = 1; seed <= 20; seed++) expect(run(seed, bad, STABLE, 20, 2000, 0.01).rolledBack).toBe(true);
  });

  it("reads a release stored before alpha was a setting as guarded at the default", () => {
    const row = { id: "rel_0123456789abcdef", kind: "kb", state: "canary", stableVersion: 1, candidateVersion: 2, percent: 10, guard: { minConversations: 8, maxMinutes: 5, autoPromote: true }, articles: 1, changes: null, openedAt: 0, openedBy: "admin", closedAt: null, closedBy: null, reason: null, comparison: null };
    expect(toRelease(row as unknown as KbReleaseRow).guard).toEqual({ minConversations: 8, maxMinutes: 5, autoPromote: true, alpha: DEFAULT_GUARD.alpha });
    // As ReleaseDO reads its open release: such a release still rolls back a clear regression.
    const canary = arm();
    const stable = arm();
    for (let i = 0; i < 40; i++) (canary.conversations++, stable.conversations++, add(canary.wrong, i % 2), add(stable.wrong, 0), add(canary.answered, 1), add(stable.answered, 1), add(canary.handoff, 0), add(stable.handoff, 0));
    expect(decide(canary, stable, 0, guardOf({ minConversations: 8, maxMinutes: 5, autoPromote: true }))).toMatchObject({ type: "rollback", metric: "wrong" });
  });

  it("catches thresholds set so tight that the canary answers much less", () => {
    const tight: Behaviour = { ...STABLE, answered: 0.3 };
    expect(run(7, tight, STABLE, 20, 2000).rolledBack).toBe(true);
  });

  it("never rolls back a canary that is better", () => {
    const better: Behaviour = { wrong: 0.05, handoff: 0.01, answered: 0.9 };
    for (let seed = 1; seed <= 20; seed++) expect(run(seed, better, STABLE, 20, 800).rolledBack).toBe(false);
  });

  it.each([
    { canary: 5, stable: 50, elapsed: 0, expected: "wait" },
    { canary: 50, stable: 200, elapsed: 0, expected: "wait" },
    { canary: 50, stable: 200, elapsed: 61 * 60_000, expected: "promote" },
  ])("with equal arms of $canary and $stable conversations after $elapsed ms: $expected", ({ canary, stable, elapsed, expected }) => {
    const fill = (n: number) => {
      const s = arm();
      for (let i = 0; i < n; i++) {
        s.conversations++;
        add(s.answered, i % 10 < 7 ? 1 : 0);
        add(s.wrong, i % 10 < 1 ? 1 : 0);
        add(s.handoff, 0);
      }
      return s;
    };
    expect(decide(fill(canary), fill(stable), elapsed).type).toBe(expected);
  });

  it("waits for a person at maxMinutes when autoPromote is off", () => {
    const s = arm();
    for (let i = 0; i < 30; i++) (s.conversations++, add(s.wrong, 0), add(s.answered, 1), add(s.handoff, 0));
    expect(decide(s, s, 120 * 60_000, { ...DEFAULT_GUARD, autoPromote: false })).toMatchObject({ type: "wait", reason: "manual_promotion" });
  });

  it("counts only a canary that is worse: a lower wrong-answer rate is no regression", () => {
    const t = testMetric("wrong", { n: 50, sum: 0, sumSq: 0 }, { n: 50, sum: 40, sumSq: 40 });
    expect(t).toMatchObject({ regressed: false, pValue: 1 });
  });

  it("puts a stable share of conversations in the canary", () => {
    const hashes = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 65536);
    const canary = hashes.filter((h) => armOf(h, 20) === "canary").length;
    expect(canary).toBeGreaterThan(150);
    expect(canary).toBeLessThan(250);
    expect(armOf(12345, 100)).toBe("canary");
  });
});
