// The conversation's own send rate limit (GCRA), for HTTP and WebSocket sends alike. Its
// state is one number kept in memory and written with the next stored message.
import { gcra, type RateDecision, type RatePolicy } from "../edge/gcra.ts";

export interface SendLimitState {
  sendTat(): number | undefined;
  setSendTat(tat: number): void;
}

/** Counts a new message at `at`; a rejected one changes nothing. */
export function admitSend(state: SendLimitState, policy: RatePolicy, at: number): RateDecision {
  const decision = gcra(state.sendTat(), policy, at);
  if (decision.allowed) state.setSendTat(decision.tat);
  return decision;
}

/** A GCRA limit kept in memory only (a share of a budget: losing it on eviction is harmless). */
export class LocalLimit {
  private tat: number | undefined;

  admit(at: number, policy: RatePolicy): boolean {
    const decision = gcra(this.tat, policy, at);
    if (decision.allowed) this.tat = decision.tat;
    return decision.allowed;
  }
}
