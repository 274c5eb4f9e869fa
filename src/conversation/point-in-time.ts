// Point-in-time restore of a conversation (Durable Objects keep 30 days of their SQLite
// storage's history in production): whether a restore to `at` may go ahead. Erasure wins: an
// erased conversation is never brought back, whatever the time asked for, since its history
// still holds the data erasure destroyed. Pure: the object supplies the facts.

/** How far back Durable Object storage can be restored. */
export const PITR_WINDOW_MS = 30 * 86_400_000;

export type RestoreRefusal = "restore_point_out_of_range" | "conversation_erased" | "conversation_not_found" | "pitr_unavailable";

export type RestoreDecision = { type: "restore"; at: number } | { type: "refuse"; code: RestoreRefusal };

export interface RestoreFacts {
  /** The point asked for, ms since the epoch. */
  at: number;
  now: number;
  /** The erased marker is set (conversation-erased.ts). */
  erased: boolean;
  /** When the conversation was created; null when the object holds none. */
  createdAt: number | null;
  /** The storage keeps a point-in-time history (not local workerd). */
  pitr: boolean;
}

/** The first reason that stops a restore, in the order a caller can act on them. */
export function restoreDecision(f: RestoreFacts): RestoreDecision {
  const refuse = (code: RestoreRefusal): RestoreDecision => ({ type: "refuse", code });
  if (!Number.isFinite(f.at) || f.at > f.now || f.at < f.now - PITR_WINDOW_MS) return refuse("restore_point_out_of_range");
  if (f.erased) return refuse("conversation_erased");
  if (f.createdAt === null) return refuse("conversation_not_found");
  // Before it began the object held nothing: that would delete it, not restore it.
  if (f.at < f.createdAt) return refuse("restore_point_out_of_range");
  if (!f.pitr) return refuse("pitr_unavailable");
  return { type: "restore", at: f.at };
}
