// When an open conversation closes by itself: for inactivity, or as resolved (assumed) when
// the bot's answer was the last thing that happened and the customer let it stand for
// AUTO_RESOLVE_MINUTES. The alarm is not moved on every message (each move is a storage
// write a reply would wait for): it fires at the earliest possible time and this rule says
// whether to close, and why, or to look again later.
import type { HandoffStatus } from "./handoff.ts";
import type { CloseReason, Message } from "./types.ts";

export type IdleDecision = { type: "close"; reason: Extract<CloseReason, "idle_timeout" | "auto_resolved"> } | { type: "rearm"; at: number } | { type: "none" };

export interface IdleInput {
  status: "open" | "closed" | null;
  /** Last activity (ms), or null when unknown. */
  lastActivityAt: number | null;
  idleMs: number;
  /** AUTO_RESOLVE_MINUTES in ms; null when off. */
  autoResolveMs: number | null;
  /** The last message is the bot's answer and no person is involved (see resolvable). */
  answeredLast: boolean;
  now: number;
  /** Turns queued or running: a busy conversation is never idle. */
  pendingTurns: number;
}

/** Re-checks no sooner than this after a busy or early alarm. */
const MIN_RECHECK_MS = 1_000;

export function idleDecision(input: IdleInput): IdleDecision {
  if (input.status !== "open") return { type: "none" };
  const last = input.lastActivityAt ?? 0;
  const resolveAt = input.autoResolveMs !== null && input.answeredLast ? last + input.autoResolveMs : null;
  const idleAt = last + input.idleMs;
  const due = resolveAt === null ? idleAt : Math.min(resolveAt, idleAt);
  if (input.now < due || input.pendingTurns > 0) return { type: "rearm", at: Math.max(due, input.now + MIN_RECHECK_MS) };
  return { type: "close", reason: resolveAt !== null && input.now >= resolveAt ? "auto_resolved" : "idle_timeout" };
}

/** How long after the first activity the alarm first looks: the sooner of the two closes. */
export function firstCheckMs(idleMs: number, autoResolveMs: number | null): number {
  return autoResolveMs === null ? idleMs : Math.min(idleMs, autoResolveMs);
}

/**
 * Whether a conversation whose latest message is `last` may close as resolved (assumed): the
 * bot answered (not a clarifying question, an offer of a person or an apology) and nobody
 * asked for a person since (none asked, or an agent handed it back to the bot).
 */
export function resolvable(last: Message | null, handoff: HandoffStatus): boolean {
  return last?.role === "assistant" && last.meta?.decision === "answer" && (handoff === "none" || handoff === "ended");
}
