// When an open conversation closes for inactivity. The idle alarm is not moved on every
// message (each move is a storage write a reply would wait for): it fires at the earliest
// possible idle time and this rule says whether to close or to look again later.

export type IdleDecision = { type: "close" } | { type: "rearm"; at: number } | { type: "none" };

export interface IdleInput {
  status: "open" | "closed" | null;
  /** Last activity (ms), or null when unknown. */
  lastActivityAt: number | null;
  idleMs: number;
  now: number;
  /** Turns queued or running: a busy conversation is never idle. */
  pendingTurns: number;
}

/** Re-checks no sooner than this after a busy or early alarm. */
const MIN_RECHECK_MS = 1_000;

export function idleDecision(input: IdleInput): IdleDecision {
  if (input.status !== "open") return { type: "none" };
  const due = (input.lastActivityAt ?? 0) + input.idleMs;
  if (input.now < due || input.pendingTurns > 0) return { type: "rearm", at: Math.max(due, input.now + MIN_RECHECK_MS) };
  return { type: "close" };
}
