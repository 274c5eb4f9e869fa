// The release guard: compares the canary's conversations with the stable ones over the same
// period and decides, at any moment, to wait, roll back or promote. Pure.
//
// Each guarded metric is a per-conversation value in [0, 1] (a sign of a wrong answer, a
// request for a person, the share of its questions answered), compared as a difference of
// means by a mixture sequential probability ratio test (mSPRT, Johari et al., "Always valid
// inference"): with the normal approximation, Λ = √(V/(V+τ²)) · exp(Δ²τ² / (2V(V+τ²))),
// where Δ is the canary's regression and V its variance. Λ is a martingale under "no
// difference", so it may be looked at after every conversation and stop the first time it
// reaches 1/α: the chance of ever rolling back a release that is no worse is at most α (the
// release's `guard.alpha`, split evenly over the guarded metrics), however long it runs. A
// large regression crosses after tens of conversations; a release with nothing worse is
// promoted at maxMinutes.

/** How a release is watched (POST …/releases `guard`). */
export interface GuardConfig {
  /** Conversations each arm needs before the guard decides anything. */
  minConversations: number;
  /** When the release is promoted if nothing regressed (autoPromote), in minutes from its opening. */
  maxMinutes: number;
  autoPromote: boolean;
  /**
   * The chance of ever rolling back a release that is no worse, over all guarded metrics (the
   * test's α). Smaller asks for stronger evidence, so a regression takes a few more
   * conversations to catch.
   */
  alpha: number;
}

export const DEFAULT_GUARD: GuardConfig = { minConversations: 20, maxMinutes: 60, autoPromote: true, alpha: 0.05 };

/** A guard with the defaults of what it lacks: a request's, or one stored before `alpha` was a setting. */
export function guardOf(stored: Partial<GuardConfig>): GuardConfig {
  return { ...DEFAULT_GUARD, ...stored };
}

/** The mixing distribution's standard deviation: the size of regression caught fastest. */
const TAU = 0.2;

/** Sums over one arm's conversations of one per-conversation value in [0, 1]. */
export interface MetricSums {
  n: number;
  sum: number;
  sumSq: number;
}

/** What the guard knows of one arm over the release's period. */
export interface ArmStats {
  conversations: number;
  turns: number;
  /** Per conversation: the share of its questions answered (higher is better). */
  answered: MetricSums;
  /** Per conversation: 1 when an answer showed a sign of being wrong (not helpful, asked again, another article picked right after). */
  wrong: MetricSums;
  /** Per conversation: 1 when the customer asked for a person. */
  handoff: MetricSums;
  /** Per conversation: the share of its questions found out of scope. */
  outOfScope: MetricSums;
  /** Conversations offered a choice, and those that picked one. */
  clarifications: number;
  picks: number;
  /** Mean time from a customer's message to the stored reply, ms. */
  latencyMs: number | null;
}

export const GUARDED = ["wrong", "handoff", "answered"] as const;
export type GuardedMetric = (typeof GUARDED)[number];

/** Which way is worse for each guarded metric: +1 higher is worse, -1 lower is worse. */
const WORSE: Record<GuardedMetric, 1 | -1> = { wrong: 1, handoff: 1, answered: -1 };

export interface MetricTest {
  metric: GuardedMetric;
  canary: number | null;
  stable: number | null;
  /** The canary's regression (positive: worse), in the metric's units. */
  regression: number | null;
  /** The mixture likelihood ratio now; the test rejects at 1/(alpha/k). */
  lambda: number;
  /** Always-valid p-value (1/Λ, capped at 1). */
  pValue: number;
  regressed: boolean;
}

export type GuardDecision =
  | { type: "wait"; reason: "too_few_conversations" | "watching" | "manual_promotion"; tests: MetricTest[] }
  | { type: "rollback"; metric: GuardedMetric; reason: string; tests: MetricTest[] }
  | { type: "promote"; reason: string; tests: MetricTest[] };

const mean = (s: MetricSums) => (s.n ? s.sum / s.n : null);

/** The mixture SPRT of one metric: is the canary worse than stable? */
export function testMetric(metric: GuardedMetric, canary: MetricSums, stable: MetricSums, alpha = DEFAULT_GUARD.alpha, k = GUARDED.length): MetricTest {
  const threshold = k / alpha;
  const none: MetricTest = { metric, canary: mean(canary), stable: mean(stable), regression: null, lambda: 1, pValue: 1, regressed: false };
  if (!canary.n || !stable.n) return none;
  const regression = WORSE[metric] * (canary.sum / canary.n - stable.sum / stable.n);
  // The variance under "no difference": pooled over both arms, with half a conversation's
  // prior toward the middle so that an arm with no events yet still has some.
  const n = canary.n + stable.n;
  const m = (canary.sum + stable.sum + 0.5) / (n + 1);
  const pooled = Math.max(0, (canary.sumSq + stable.sumSq + 0.25) / (n + 1) - m * m);
  const variance = Math.max(pooled, (m * (1 - m)) / 4, 1e-4);
  const v = variance * (1 / canary.n + 1 / stable.n);
  const t2 = TAU * TAU;
  const lambda = Math.sqrt(v / (v + t2)) * Math.exp((regression * regression * t2) / (2 * v * (v + t2)));
  // One-sided: only a canary that is worse counts (a better one is no reason to roll back).
  const effective = regression > 0 ? lambda : 1;
  return { ...none, regression, lambda: effective, pValue: Math.min(1, 1 / effective), regressed: effective >= threshold };
}

/** The guard's decision now. `elapsedMs`: since the release opened. */
export function decide(canary: ArmStats, stable: ArmStats, elapsedMs: number, guard: GuardConfig = DEFAULT_GUARD): GuardDecision {
  const tests = GUARDED.map((metric) => testMetric(metric, canary[metric], stable[metric], guard.alpha));
  if (canary.conversations < guard.minConversations || stable.conversations < guard.minConversations) return { type: "wait", reason: "too_few_conversations", tests };
  const regressed = tests.filter((t) => t.regressed).sort((a, b) => b.lambda - a.lambda)[0];
  if (regressed) {
    const reason = `${regressed.metric} worse in the canary (${format(regressed.canary)} vs ${format(regressed.stable)}, p ≤ ${regressed.pValue.toPrecision(2)})`;
    return { type: "rollback", metric: regressed.metric, reason, tests };
  }
  if (elapsedMs < guard.maxMinutes * 60_000) return { type: "wait", reason: "watching", tests };
  if (!guard.autoPromote) return { type: "wait", reason: "manual_promotion", tests };
  return { type: "promote", reason: `nothing regressed in ${guard.maxMinutes} min (${canary.conversations} canary, ${stable.conversations} stable conversations)`, tests };
}

const format = (x: number | null) => (x === null ? "-" : `${Math.round(x * 1000) / 10}%`);

/** The arm a new conversation joins: a stable share of conversations (by a hash of its id) gets the canary. */
export function armOf(conversationHash: number, percent: number): "canary" | "stable" {
  return conversationHash % 100 < percent ? "canary" : "stable";
}
