// The order of a conversation's turns: store the customer's message, tell every socket,
// ask the answerer, store and deliver the reply. Turns run one at a time; a retried send
// (same clientMessageId) gets the original result and is never stored twice.
import type { Answer, Answerer } from "../answer/answerer.ts";
import type { DialogueState } from "../answer/dialogue.ts";
import { apology } from "../answer/apology.ts";
import type { RateDecision } from "../edge/gcra.ts";
import { fail, ok, type Outcome } from "../errors.ts";
import { SerialQueue } from "./serial-queue.ts";
import type { ConversationMeta, Message, SendInput, ServerFrame, TurnResult } from "./types.ts";

/** What the turn needs from storage. All calls are synchronous (Durable Object SQLite). */
export interface TurnStore {
  meta(): ConversationMeta | null;
  byClientMessageId(clientMessageId: string): Message | null;
  replyTo(seq: number): Message | null;
  insertCustomer(input: SendInput, at: number): Message;
  insertReply(replyTo: number, answer: Answer, at: number): Message;
  /** The last customer message if it has no reply yet. */
  unanswered(): Message | null;
  dialogue(): DialogueState;
}

export interface TurnPorts {
  store: TurnStore;
  answerer: Answerer;
  /** Sends a frame to every socket of the conversation. */
  publish(frame: ServerFrame): void;
  /** Activity happened at `at` (ms): the idle timer restarts. */
  touched(at: number): void;
  /** Counts a new message against the conversation's rate limit. */
  admit(at: number): RateDecision;
  now(): number;
}

/** Per-send callbacks: the HTTP stream or the socket that sent the message. */
export interface TurnListener {
  accepted?(message: Message, duplicate: boolean): void;
  delta?(replyTo: number, text: string): void;
  replied?(reply: Message): void;
}

export class Turns {
  private readonly queue = new SerialQueue();
  private readonly inflight = new Map<string, { text: string; done: Promise<Outcome<TurnResult>> }>();
  private readonly ports: TurnPorts;

  constructor(ports: TurnPorts) {
    this.ports = ports;
  }

  /** Answers a message stored before a restart but never answered. Call once at start. */
  resume(): void {
    const message = this.ports.store.unanswered();
    if (!message?.clientMessageId) return;
    const done = this.queue.run(async () => ok<TurnResult>({ message, reply: await this.reply(message, {}), duplicate: false }));
    this.track(message.clientMessageId, message.text, done);
  }

  /** Sends a customer message and resolves with its turn once the reply is stored. */
  send(input: SendInput, listener: TurnListener = {}): Promise<Outcome<TurnResult>> {
    // A retry of an accepted message gets its original result, even after the close.
    const known = this.known(input, listener);
    if (known) return known;
    const closed = this.closedOutcome();
    if (closed) return Promise.resolve(closed);
    // Only new messages count against the limit, and a rejected one is never stored.
    const admitted = this.ports.admit(this.ports.now());
    if (!admitted.allowed) return Promise.resolve(fail("rate_limited", admitted.retryAfterMs));
    const done = this.queue.run(() => this.turn(input, listener));
    this.track(input.clientMessageId, input.text, done);
    return done;
  }

  /** Turns queued or running. */
  get pending(): number {
    return this.queue.pending;
  }

  private closedOutcome(): Outcome<never> | null {
    const meta = this.ports.store.meta();
    if (!meta) return fail("conversation_not_found");
    return meta.status === "closed" ? fail("conversation_closed") : null;
  }

  private known(input: SendInput, listener: TurnListener): Promise<Outcome<TurnResult>> | null {
    const inflight = this.inflight.get(input.clientMessageId);
    if (inflight) {
      if (inflight.text !== input.text) return Promise.resolve(fail("client_message_id_conflict"));
      return inflight.done.then((r) => (r.ok ? this.replay(r.value, listener) : r));
    }
    const message = this.ports.store.byClientMessageId(input.clientMessageId);
    if (!message) return null;
    if (message.text !== input.text) return Promise.resolve(fail("client_message_id_conflict"));
    const reply = this.ports.store.replyTo(message.seq);
    // Every stored message is either answered or in flight (resume() covers restarts).
    if (!reply) return Promise.resolve(fail("internal_error"));
    return Promise.resolve(this.replay({ message, reply, duplicate: true }, listener));
  }

  private replay(result: TurnResult, listener: TurnListener): Outcome<TurnResult> {
    listener.accepted?.(result.message, true);
    listener.replied?.(result.reply);
    return ok({ ...result, duplicate: true });
  }

  private track(clientMessageId: string, text: string, done: Promise<Outcome<TurnResult>>): void {
    this.inflight.set(clientMessageId, { text, done });
    const forget = () => this.inflight.delete(clientMessageId);
    done.then(forget, forget);
  }

  private async turn(input: SendInput, listener: TurnListener): Promise<Outcome<TurnResult>> {
    // The conversation may have closed while this turn waited in the queue.
    const closed = this.closedOutcome();
    if (closed) return closed;
    const at = this.ports.now();
    const message = this.ports.store.insertCustomer(input, at);
    this.ports.touched(at);
    listener.accepted?.(message, false);
    this.ports.publish({ type: "message", message });
    return ok({ message, reply: await this.reply(message, listener), duplicate: false });
  }

  private async reply(message: Message, listener: TurnListener): Promise<Message> {
    const { store, answerer, publish } = this.ports;
    publish({ type: "typing" });
    const locale = store.meta()?.locale ?? "en";
    const onDelta = (text: string) => {
      listener.delta?.(message.seq, text);
      publish({ type: "delta", replyTo: message.seq, text });
    };
    let answer: Answer;
    try {
      answer = await answerer.answer({ message, locale, state: store.dialogue() }, onDelta);
    } catch {
      answer = apology(locale, "answerer_failed", new Date(this.ports.now()));
    }
    const at = this.ports.now();
    const reply = store.insertReply(message.seq, answer, at);
    this.ports.touched(at);
    publish({ type: "message", message: reply });
    listener.replied?.(reply);
    return reply;
  }
}
