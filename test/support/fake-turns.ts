// Fake ports for Turns in Node: an in-memory store that counts commits, a scripted
// answerer, a manual clock and grace timer. Only the pure turn logic is under test.
import type { Answer, AnswerRequest, Answerer } from "../../src/answer/answerer.ts";
import { INITIAL_DIALOGUE, type DialogueState } from "../../src/answer/dialogue.ts";
import type { ServerFrame } from "../../src/conversation/protocol.ts";
import type { TurnPorts, TurnStore } from "../../src/conversation/turns.ts";
import type { ConversationMeta, Message } from "../../src/conversation/types.ts";
import { gcra } from "../../src/edge/gcra.ts";

export class MemoryTurnStore implements TurnStore {
  readonly messages: Message[] = [];
  /** Each saveMessage/saveReply is one durable commit. */
  commits = 0;
  status: "open" | "closed" = "open";
  state: DialogueState = INITIAL_DIALOGUE;

  meta(): ConversationMeta {
    return { id: "c1", locale: "en", region: "weur", jurisdiction: null, channel: "web", status: this.status, createdAt: "2026-12-01T00:00:00.000Z" };
  }
  seqOfClientMessage(id: string): number | null {
    return this.messages.find((m) => m.clientMessageId === id)?.seq ?? null;
  }
  nextSeq(): number {
    return (this.messages.at(-1)?.seq ?? 0) + 1;
  }
  async message(seq: number) {
    return this.messages.find((m) => m.seq === seq) ?? null;
  }
  async replyTo(seq: number) {
    return this.messages.find((m) => m.replyTo === seq) ?? null;
  }
  async saveMessage(message: Message) {
    this.commits++;
    this.messages.push(message);
  }
  async saveReply(reply: Message, state: DialogueState | undefined, message?: Message) {
    this.commits++;
    if (message) this.messages.push(message);
    this.messages.push(reply);
    if (state) this.state = state;
  }
  async unanswered() {
    const answered = new Set(this.messages.map((m) => m.replyTo));
    return [...this.messages].reverse().find((m) => m.role === "customer" && !answered.has(m.seq)) ?? null;
  }
  dialogue() {
    return this.state;
  }
}

/** An answerer whose replies are released by the test (or at once). */
export class ScriptedAnswerer implements Answerer {
  readonly asked: AnswerRequest[] = [];
  private pending: Array<() => void> = [];
  private readonly immediate: boolean;

  constructor(immediate = true) {
    this.immediate = immediate;
  }

  async answer(request: AnswerRequest, onDelta?: (text: string) => void): Promise<Answer> {
    this.asked.push(request);
    if (!this.immediate) {
      await new Promise<void>((r) => this.pending.push(r));
      onDelta?.("partial ");
    }
    return { text: `reply to ${request.message.text}`, meta: { mode: "normal", answerer: "kb", locale: "en" } };
  }

  release(): void {
    for (const r of this.pending.splice(0)) r();
  }
}

/** Ports whose grace timer never fires by itself: `graceOver()` fires it. */
export function fakePorts(store: MemoryTurnStore, answerer: Answerer, limit = 1_000) {
  const frames: ServerFrame[] = [];
  let tat: number | undefined;
  let now = 1_000_000;
  const timers: Array<() => void> = [];
  const ports: TurnPorts = {
    store,
    answerer,
    publish: (f) => frames.push(f),
    touched: () => {},
    admit: (at) => {
      const d = gcra(tat, { limit, periodMs: 60_000 }, at);
      if (d.allowed) tat = d.tat;
      return d;
    },
    now: () => now++,
    wait: () => new Promise<void>((r) => timers.push(r)),
  };
  return { ports, frames, graceOver: () => timers.splice(0).forEach((t) => t()) };
}
