// The mail outbox's retry rule. A reply that goes out by mail is queued in the transaction
// that stores it and sent after; a send that fails is tried again later, a little later each
// time, and given up (and logged) only after a day of tries.

/** First retry after this, doubling each time, at most MAX_DELAY_MS apart. */
export const FIRST_DELAY_MS = 5_000;
export const MAX_DELAY_MS = 3_600_000;
/** Attempts before a mail is given up: 5 s doubling to an hour, then hourly, about a day in all. */
export const MAX_ATTEMPTS = 36;

export type RetryDecision = { kind: "retry"; at: number } | { kind: "give_up" };

/** What to do after the `attempts`-th failed send at `now`. */
export function afterFailure(attempts: number, now: number): RetryDecision {
  if (attempts >= MAX_ATTEMPTS) return { kind: "give_up" };
  const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return { kind: "retry", at: now + delay };
}
