// How a webhook delivery goes: one signed POST per event and subscription (the signature
// scheme and the backoff are the alert webhook's, src/ops/alert-delivery.ts), retried with
// exponential backoff until the receiver answers 2xx, then given up. At least once: a
// receiver may see an event again (a lost 2xx), with the same event id to drop it by.
import { retrySchedule, type RetryPolicy } from "../ops/alert-delivery.ts";

/** 5 s, 10 s, 20 s … capped at 30 minutes; 12 attempts (about 2 hours) in all. */
export const WEBHOOK_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 30 * 60_000, maxAttempts: 12 };

/** Deliveries a team's outbox holds; past it the oldest are dropped (a receiver down for long, a flood). */
export const MAX_PENDING = 10_000;

/** Deliveries attempted per alarm, at once. */
export const BATCH = 20;

export type AttemptDecision = { type: "delivered" } | { type: "retry"; at: number; attempts: number } | { type: "dropped" };

/** What to do with a delivery after an attempt; `attempts` counts the ones before it. */
export function afterAttempt(accepted: boolean, attempts: number, now: number, policy: RetryPolicy = WEBHOOK_RETRY): AttemptDecision {
  if (accepted) return { type: "delivered" };
  const delay = retrySchedule(attempts + 1, policy);
  return delay === null ? { type: "dropped" } : { type: "retry", at: now + delay, attempts: attempts + 1 };
}
