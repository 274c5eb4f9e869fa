// The ConversationDO's one alarm, as glue: armed by activity, it closes an idle conversation
// (assumed resolved when the bot answered last, src/conversation/idle.ts), then waits out the
// retention period before erasure; retries (learning votes, mail to send) bring it forward.
import type { Config } from "../src/config.ts";
import { firstCheckMs, idleDecision, resolvable } from "../src/conversation/idle.ts";
import type { ServerFrame } from "../src/conversation/protocol.ts";
import type { Turns } from "../src/conversation/turns.ts";
import type { CloseReason, Message } from "../src/conversation/types.ts";
import type { ErasedMarker } from "./conversation-erased.ts";
import type { ConversationHandoff } from "./conversation-handoff.ts";
import type { ConversationMail } from "./conversation-mail.ts";
import type { ConversationOps } from "./conversation-ops.ts";
import type { ConversationSockets } from "./conversation-sockets.ts";
import type { ConversationStore } from "./conversation-store.ts";

export interface TimersDeps {
  storage: DurableObjectStorage;
  /** The object's settings, read when used (a test swaps the DO's `config`). */
  config(): Config;
  store: ConversationStore;
  marker: ErasedMarker;
  handoff: ConversationHandoff;
  sockets: ConversationSockets;
  mail: ConversationMail;
  ops: ConversationOps;
  turns: Turns;
  retentionMs: number;
  close(reason: CloseReason): void;
  /** Erases a closed conversation whose retention period has passed, or re-arms for it. */
  retention(): Promise<void>;
}

export class ConversationTimers {
  private readonly d: TimersDeps;
  private readonly idleMs: number;
  private armed = false;

  constructor(deps: TimersDeps) {
    this.d = deps;
    this.idleMs = deps.config().idleSeconds * 1000;
  }

  /** The alarm fired: whatever is due next arms it again. */
  fired(): void {
    this.armed = false;
  }

  /** The idle close and the retention deadline. */
  async due(): Promise<void> {
    const { store, handoff } = this.d;
    const config = this.d.config();
    this.d.ops.idle(Date.now());
    const meta = store.meta();
    if (meta?.status === "closed") await this.d.retention();
    else {
      const email = meta?.channel === "email";
      const idleMs = email ? config.email.idleSeconds * 1000 : this.idleMs;
      // Mail answers are slow: an email conversation is never assumed resolved, only idle.
      const autoResolveMs = email ? null : config.autoResolveMs;
      const answeredLast = autoResolveMs !== null && resolvable(await this.lastMessage(), handoff.record().status);
      const decision = idleDecision({ status: meta?.status ?? null, lastActivityAt: store.lastActivityAt(), idleMs, autoResolveMs, answeredLast, now: Date.now(), pendingTurns: this.d.turns.pending });
      if (decision.type === "rearm") {
        await this.d.storage.setAlarm(decision.at);
        this.armed = true;
      } else if (decision.type === "close") {
        // Resolved (assumed): the customer is asked for a rating first, when their team wants one.
        if (decision.reason === "auto_resolved" && config.csatOnResolve(handoff.record().team)) this.d.sockets.publish({ type: "rating_request" } satisfies ServerFrame);
        this.d.close(decision.reason);
      }
    }
    const retry = this.d.marker.erased ? null : this.d.mail.nextDue();
    if (retry !== null) this.armAt(retry);
  }

  /** The conversation closed at `at`: from now on the alarm is the retention deadline (or sooner, for mail still to send). */
  closed(at: number): void {
    this.armed = true;
    void this.d.storage.setAlarm(at + this.d.retentionMs);
    const retry = this.d.mail.nextDue();
    if (retry !== null) this.armAt(retry);
  }

  /** The alarm fires by `at` at the latest (a retry: learning votes, mail to send; a conversation opened again); the alarm's own logic re-arms what else is due. */
  armAt(at: number): void {
    if (this.d.marker.erased) return;
    this.armed = true;
    void this.d.storage.getAlarm().then((alarm) => (alarm === null || alarm > at ? this.d.storage.setAlarm(at) : undefined));
  }

  /** Records activity: the idle alarm is armed once and re-arms itself (see src/conversation/idle.ts). */
  touched(at: number): void {
    if (this.armed || this.d.marker.erased) return;
    this.armed = true;
    void this.d.storage.getAlarm().then((alarm) => (alarm === null ? this.d.storage.setAlarm(at + firstCheckMs(this.idleMs, this.d.config().autoResolveMs)) : undefined));
  }

  /** The conversation was erased: its alarm is gone. */
  forget(): void {
    this.armed = false;
  }

  /** The latest message of the transcript (the idle alarm asks), or null when there is none. */
  private async lastMessage(): Promise<Message | null> {
    const seq = this.d.store.nextSeq() - 1;
    return seq > 0 ? this.d.store.message(seq) : null;
  }
}
