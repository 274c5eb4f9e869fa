// What a conversation in a release tells the guard, and how its tallies become the guard's
// per-arm statistics. Conversations are counted by a hashed id; no text ever leaves them.
import type { ArmStats, MetricSums, MetricTest } from "./guard.ts";

export type Arm = "canary" | "stable";

/** A conversation's part in a release, fixed when it starts (sticky). */
export interface ReleaseTag {
  id: string;
  kind: "kb" | "settings";
  arm: Arm;
  /** The version it answers from: the candidate's for the canary, else stable's. */
  version: number;
}

/** One thing that happened in a conversation, for the guard. */
export type OutcomeSignal =
  /** A bot reply: its decision and how long it took. */
  | { kind: "turn"; decision: string; latencyMs: number }
  /** An answer looked wrong: marked not helpful, asked again, or another article picked right after it. */
  | { kind: "wrong" }
  /** A choice offered by a clarification was picked. */
  | { kind: "pick" }
  /** The customer asked for a person. */
  | { kind: "handoff" };

export interface OutcomeReport {
  release: string;
  arm: Arm;
  /** The conversation's hashed id. */
  conversation: string;
  signal: OutcomeSignal;
}

/** One conversation's tallies as stored. */
export interface ConversationTally {
  turns: number;
  answered: number;
  outOfScope: number;
  clarifications: number;
  picks: number;
  wrong: number;
  handoff: number;
  latencyMs: number;
}

/** The tally's columns a signal adds to. */
export function increments(signal: OutcomeSignal): Partial<ConversationTally> {
  switch (signal.kind) {
    case "turn":
      return {
        turns: 1,
        answered: signal.decision === "answer" ? 1 : 0,
        outOfScope: signal.decision === "out_of_scope" ? 1 : 0,
        clarifications: signal.decision === "clarify" ? 1 : 0,
        latencyMs: Math.max(0, Math.round(signal.latencyMs)),
      };
    case "wrong":
      return { wrong: 1 };
    case "pick":
      return { picks: 1 };
    case "handoff":
      return { handoff: 1 };
  }
}

const sums = (): MetricSums => ({ n: 0, sum: 0, sumSq: 0 });
const add = (s: MetricSums, x: number) => {
  s.n += 1;
  s.sum += x;
  s.sumSq += x * x;
};

/** An arm's statistics from its conversations' tallies (those with at least one reply). */
export function armStats(tallies: ConversationTally[]): ArmStats {
  const stats: ArmStats = { conversations: 0, turns: 0, answered: sums(), wrong: sums(), handoff: sums(), outOfScope: sums(), clarifications: 0, picks: 0, latencyMs: null };
  let latency = 0;
  for (const t of tallies) {
    if (!t.turns) continue;
    stats.conversations++;
    stats.turns += t.turns;
    add(stats.answered, t.answered / t.turns);
    add(stats.outOfScope, t.outOfScope / t.turns);
    add(stats.wrong, t.wrong ? 1 : 0);
    add(stats.handoff, t.handoff ? 1 : 0);
    if (t.clarifications) stats.clarifications++;
    if (t.clarifications && t.picks) stats.picks++;
    latency += t.latencyMs;
  }
  stats.latencyMs = stats.turns ? Math.round(latency / stats.turns) : null;
  return stats;
}

/** The comparison /ops and the admin API show: each arm's rates, and each guarded metric's test. */
export function comparisonOf(canary: ArmStats, stable: ArmStats) {
  const view = (s: ArmStats) => ({
    conversations: s.conversations,
    turns: s.turns,
    answeredShare: rate(s.answered),
    wrongAnswerRate: rate(s.wrong),
    clarificationPickRate: s.clarifications ? s.picks / s.clarifications : null,
    handoffRate: rate(s.handoff),
    outOfScopeRate: rate(s.outOfScope),
    latencyMs: s.latencyMs,
  });
  return { canary: view(canary), stable: view(stable) };
}

const rate = (s: MetricSums) => (s.n ? Math.round((s.sum / s.n) * 1000) / 1000 : null);

/** The guard's comparison as stored with a release and shown by the API. */
export type Comparison = ReturnType<typeof comparisonOf> & { tests: MetricTest[]; at: string };
