// The order of a conversation's turns: admit the customer's message, ask the answerer,
// store and deliver. Turns run one at a time; a retried send (same clientMessageId) gets
// the original result and is never stored twice. An acknowledgement always means "stored".
//
// One durable commit per turn when the answer is quick: the message and its reply are
// stored together and the ack, the message and the reply go out in one burst (the
// runtime holds them until the commit is durable). When the answer takes longer than
// `ackGraceMs` (generation, a slow replica), the message is stored and acknowledged first
// and the reply follows in a second commit.
//
// While an agent has the conversation the bot is silent: a customer message is stored (and
// marked as meant for a person, so that resume() never answers it) and acknowledged, and no
// reply is made. Other writers of messages (an agent's replies) go through the same queue.
import type { Answer, Answerer } from "../answer/answerer.ts";
import type { DialogueState } from "../answer/dialogue.ts";
import { apology } from "../answer/apology.ts";
import type { RateDecision } from "../edge/gcra.ts";
import { fail, ok, type Outcome } from "../errors.ts";
import type { HandoffFrame, ServerFrame } from "./protocol.ts";
import { SerialQueue } from "./serial-queue.ts";
import type { ConversationMeta, Message, SendInput, TurnResult } from "./types.ts";

/**
 * What a turn needs from storage. Lookups by id and sequence numbers are synchronous (the
 * Durable Object's SQLite), so that no two sends can race between a check and a write;
 * anything that reads or writes message text may be asynchronous (it may be sealed).
 */
export interface TurnStore {
  meta(): ConversationMeta | null;
  /** The seq of the message with this clientMessageId, if one is stored. */
  seqOfClientMessage(clientMessageId: string): number | null;
  /** The next sequence number (nothing else writes messages while a turn runs). */
  nextSeq(): number;
  message(seq: number): Promise<Message | null>;
  replyTo(seq: number): Promise<Message | null>;
  /** Stores the customer's message. */
  saveMessage(message: Message): Promise<void>;
  /** Stores the reply (and the dialogue state it leads to), with the message when it is not stored yet. */
  saveReply(reply: Message, state: DialogueState | undefined, message?: Message): Promise<void>;
  /** The last customer message if it has no reply yet. */
  unanswered(): Promise<Message | null>;
  dialogue(): DialogueState;
}

export interface TurnPorts {
  store: TurnStore;
  answerer: Answerer;
  /** Sends a frame to every customer socket of the conversation. */
  publish(frame: ServerFrame): void;
  /** Activity happened at `at` (ms): the idle timer restarts. */
  touched(at: number): void;
  /** Counts a new message against the conversation's rate limit. */
  admit(at: number): RateDecision;
  now(): number;
  /** Resolves after `ms` (the ack grace period). */
  wait(ms: number): Promise<void>;
  /** A person's part in the conversation; without it the bot answers everything. */
  handover?: Handover;
  /** A turn's reply was stored (ops events). Called synchronously, never awaited; a throw is ignored. */
  observe?(turn: ObservedTurn): void;
}

/** How turns learn that a person has the conversation, and what they tell about replies. */
export interface Handover {
  /** Whether an agent has the conversation as `message` arrives (then the bot stays silent); may ask the desk. */
  withAgent(message: Message): Promise<boolean>;
  /** Stores a customer message meant for the agent, marked so that the bot never answers it. */
  hold(message: Message): Promise<void>;
  /** Whether the stored message at `seq` was meant for a person. */
  held(seq: number): boolean;
  /** Where the handoff stands, to tell the sender of a held message. */
  frame(): HandoffFrame | null;
  /** A bot reply was stored; resolves once whatever it asked for (a person) is done, with the frame to tell the sender. */
  answered(message: Message, reply: Message): Promise<HandoffFrame | null>;
}

/** A stored turn, for ops: the customer's message, the reply, and when the reply was stored. */
export interface ObservedTurn {
  message: Message;
  reply: Message;
  storedAt: number;
}

/** A further limit refused the message (see `send`'s gate): nothing of it was stored. */
class GateRefused extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("refused by the gate");
    this.retryAfterMs = retryAfterMs;
  }
}

export interface TurnOptions {
  /** How long an answer may take and still be stored with its message in one commit. */
  ackGraceMs: number;
}

/** Per-send callbacks: the HTTP stream or the socket that sent the message. */
export interface TurnListener {
  accepted?(message: Message, duplicate: boolean): void;
  delta?(replyTo: number, text: string): void;
  replied?(reply: Message): void;
  /** The turn asked for a person, or went to the agent who has the conversation. */
  handoff?(frame: HandoffFrame): void;
}

export class Turns {
  private readonly queue = new SerialQueue();
  private readonly inflight = new Map<string, { text: string; done: Promise<Outcome<TurnResult>> }>();
  private readonly ports: TurnPorts;
  private readonly options: TurnOptions;
  /** The answer to a message left unanswered by a restart, while it is being made. */
  private resuming: Promise<void> = Promise.resolve();

  constructor(ports: TurnPorts, options: TurnOptions = { ackGraceMs: 30 }) {
    this.ports = ports;
    this.options = options;
  }

  /** Answers a message stored before a restart but never answered (unless it was meant for a person). Call once at start. */
  resume(): void {
    this.resuming = this.queue.run(async () => {
      const message = await this.ports.store.unanswered();
      if (!message || this.ports.handover?.held(message.seq)) return;
      const reply = await this.answer(message, {}, true);
      // What the reply asks for (a person, the team for a mail) is asked for now.
      await this.ports.handover?.answered(message, reply).catch(() => null);
    });
  }

  /**
   * Runs a job that writes messages other than a customer turn (an agent's reply) in turn
   * order, so that it and the turns never take the same sequence number. `seq` is the next one.
   */
  inOrder<T>(job: (seq: number) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      await this.resuming;
      return job(this.ports.store.nextSeq());
    });
  }

  /**
   * Sends a customer message and resolves with its turn once the reply is stored. `gate`,
   * when given, is a further limit (the client's per-IP limit, for WebSocket sends): it is
   * asked at once, while the answer is being made, and a refused message is never stored.
   */
  send(input: SendInput, listener: TurnListener = {}, gate?: () => Promise<RateDecision>): Promise<Outcome<TurnResult>> {
    // A retry of an accepted message gets its original result, even after the close.
    const known = this.known(input, listener);
    if (known) return known;
    const closed = this.closedOutcome();
    if (closed) return Promise.resolve(closed);
    // Only new messages count against the limit, and a rejected one is never stored.
    const admitted = this.ports.admit(this.ports.now());
    if (!admitted.allowed) return Promise.resolve(fail("rate_limited", admitted.retryAfterMs));
    const passed = gate?.().catch((): RateDecision => ({ allowed: true, tat: 0, remaining: 0, retryAfterMs: 0, resetMs: 0 }));
    const done = this.queue.run(() => this.turn(input, listener, passed));
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
    const seq = this.ports.store.seqOfClientMessage(input.clientMessageId);
    if (seq === null) return null;
    return (async () => {
      await this.resuming;
      const [message, reply] = await Promise.all([this.ports.store.message(seq), this.ports.store.replyTo(seq)]);
      if (!message || message.text !== input.text) return fail<TurnResult>("client_message_id_conflict");
      const handover = this.ports.handover;
      if (!reply && handover?.held(seq)) return this.replay(withFrame({ message, reply: null, duplicate: true }, handover.frame()), listener);
      // Every other stored message is either answered or in flight (resume() covers restarts).
      if (!reply) return fail<TurnResult>("internal_error");
      return this.replay({ message, reply, duplicate: true }, listener);
    })();
  }

  private replay(result: TurnResult, listener: TurnListener): Outcome<TurnResult> {
    listener.accepted?.(result.message, true);
    if (result.reply) listener.replied?.(result.reply);
    if (result.handoff) listener.handoff?.(result.handoff);
    return ok({ ...result, duplicate: true });
  }

  private track(clientMessageId: string, text: string, done: Promise<Outcome<TurnResult>>): void {
    this.inflight.set(clientMessageId, { text, done });
    const forget = () => this.inflight.delete(clientMessageId);
    done.then(forget, forget);
  }

  private async turn(input: SendInput, listener: TurnListener, passed?: Promise<RateDecision>): Promise<Outcome<TurnResult>> {
    // The conversation may have closed while this turn waited in the queue.
    const closed = this.closedOutcome();
    if (closed) return closed;
    const at = this.ports.now();
    const message: Message = { seq: this.ports.store.nextSeq(), role: "customer", text: input.text, createdAt: new Date(at).toISOString(), clientMessageId: input.clientMessageId };
    // Nothing is stored before the gate has let the message through.
    const admitted = async () => {
      const decision = passed && (await passed);
      if (decision && !decision.allowed) throw new GateRefused(decision.retryAfterMs);
    };
    try {
      return await this.respond(message, listener, admitted);
    } catch (err) {
      if (err instanceof GateRefused) return fail("rate_limited", err.retryAfterMs);
      throw err;
    }
  }

  private async respond(message: Message, listener: TurnListener, admitted: () => Promise<void>): Promise<Outcome<TurnResult>> {
    const handover = this.ports.handover;
    if (handover && (await handover.withAgent(message))) {
      await admitted();
      await handover.hold(message);
      this.accepted(message, listener);
      const frame = handover.frame();
      if (frame) listener.handoff?.(frame);
      return ok(withFrame({ message, reply: null, duplicate: false }, frame));
    }
    const reply = await this.answer(message, listener, false, admitted);
    const frame = handover ? await handover.answered(message, reply).catch(() => null) : null;
    if (frame) listener.handoff?.(frame);
    return ok(withFrame({ message, reply, duplicate: false }, frame));
  }

  /**
   * Answers `message`. When it is not stored yet (`stored` false) it is stored with a quick
   * answer, or on its own once the grace period or the first streamed text comes.
   */
  private async answer(message: Message, listener: TurnListener, stored: boolean, admitted: () => Promise<void> = async () => {}): Promise<Message> {
    const { store, answerer, publish } = this.ports;
    const locale = store.meta()?.locale ?? "en";
    let pending: Promise<void> | null = null;
    // Stores and announces the message on its own; every later step waits for it.
    const storeAlone = (): Promise<void> =>
      (pending ??= (async () => {
        if (stored) return;
        await admitted();
        await store.saveMessage(message);
        stored = true;
        this.accepted(message, listener);
        publish({ type: "typing" });
      })());
    const onDelta = (text: string) => {
      void storeAlone().then(() => {
        listener.delta?.(message.seq, text);
        publish({ type: "delta", replyTo: message.seq, text });
      });
    };
    const answering = answerer.answer({ message, locale, state: store.dialogue() }, onDelta).catch(() => apology(locale, "answerer_failed", new Date(this.ports.now())));
    const quick = stored ? null : await Promise.race([answering, this.ports.wait(this.options.ackGraceMs).then(() => null)]);
    if (!quick) await storeAlone();
    const answer: Answer = quick ?? (await answering);
    await pending;
    const at = this.ports.now();
    const reply: Message = { seq: stored ? store.nextSeq() : message.seq + 1, role: "assistant", text: answer.text, createdAt: new Date(at).toISOString(), replyTo: message.seq, meta: answer.meta };
    if (!stored) await admitted();
    await store.saveReply(reply, answer.state, stored ? undefined : message);
    this.observe(message, reply);
    if (!stored) this.accepted(message, listener);
    this.ports.touched(at);
    publish({ type: "message", message: reply });
    listener.replied?.(reply);
    return reply;
  }

  /** Tells ops about a stored turn; ops can never fail or hold up a turn. */
  private observe(message: Message, reply: Message): void {
    try {
      this.ports.observe?.({ message, reply, storedAt: this.ports.now() });
    } catch {
      // Ops is best effort.
    }
  }

  private accepted(message: Message, listener: TurnListener): void {
    this.ports.touched(Date.parse(message.createdAt));
    listener.accepted?.(message, false);
    this.ports.publish({ type: "message", message });
  }
}

function withFrame(result: TurnResult, frame: HandoffFrame | null): TurnResult {
  return frame ? { ...result, handoff: frame } : result;
}
