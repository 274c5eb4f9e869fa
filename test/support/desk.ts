// A desk driven by hand in unit tests: a fake clock, the state after each event and the
// effects of the last one, so tests read like a shift at the desk.
import { applyDeskEvent } from "../../src/desk/desk.ts";
import { emptyDesk, type DeskConfig, type DeskEffect, type DeskEvent, type DeskOutcome, type DeskState, type EnqueueEvent } from "../../src/desk/model.ts";

export const SECOND = 1_000;
export const MINUTE = 60_000;

export const testConfig: DeskConfig = {
  replyTimeoutMs: MINUTE,
  maxWaitMs: 10 * MINUTE,
  sla: { firstResponseMs: 2 * MINUTE, nextResponseMs: 5 * MINUTE, warningRatio: 0.75 },
  businessHours: null,
  maxOpenTickets: 500,
  maxQueueLength: 200,
};

/** A well-formed conversation id for the n-th test conversation. */
export function cid(n: number): string {
  return n.toString(16).padStart(64, "0");
}

export class TestDesk {
  state: DeskState;
  now = 0;
  effects: DeskEffect[] = [];
  readonly config: DeskConfig;

  constructor(config: DeskConfig = testConfig, team = "support") {
    this.config = config;
    this.state = emptyDesk(team);
  }

  /** Applies an event at the current time (or moves the clock to `at` first); keeps the new state unless refused. */
  apply(event: DeskEvent, at?: number): DeskOutcome {
    if (at !== undefined) this.now = at;
    const outcome = applyDeskEvent(this.state, event, this.now, this.config);
    this.state = outcome.state;
    this.effects = outcome.effects;
    return outcome;
  }

  enqueue(n: number, extra: Partial<EnqueueEvent> = {}, at?: number): DeskOutcome {
    return this.apply({ type: "enqueue", conversationId: cid(n), reason: "customer_request", language: "en", region: "weur", ...extra }, at);
  }

  /** An agent opens a console (online, with the given capacity). */
  agent(agentId: string, capacity = 3, name = agentId.toUpperCase()): DeskOutcome {
    return this.apply({ type: "connect", agentId, name, sockets: 1, capacity });
  }

  tick(at: number): DeskOutcome {
    return this.apply({ type: "tick" }, at);
  }

  /** Who has the n-th conversation, "waiting", or "gone" when the desk no longer holds it. */
  holder(n: number): string {
    const c = this.state.conversations[cid(n)];
    if (!c) return "gone";
    return c.status === "waiting" ? "waiting" : c.agentId!;
  }

  effectsOf<T extends DeskEffect["type"]>(type: T): Extract<DeskEffect, { type: T }>[] {
    return this.effects.filter((e): e is Extract<DeskEffect, { type: T }> => e.type === type);
  }
}
