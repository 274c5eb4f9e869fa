// When a conversation closes by itself: idle for CONVERSATION_IDLE_SECONDS, or resolved
// (assumed) when the bot's answer stood for AUTO_RESOLVE_MINUTES.
import { describe, expect, it } from "vitest";
import { firstCheckMs, idleDecision, resolvable, type IdleInput } from "../../src/conversation/idle.ts";
import type { Message } from "../../src/conversation/types.ts";

const MINUTE = 60_000;
const base: IdleInput = { status: "open", lastActivityAt: 0, idleMs: 30 * MINUTE, autoResolveMs: 15 * MINUTE, answeredLast: true, now: 0, pendingTurns: 0 };

describe("the idle alarm", () => {
  it.each([
    ["the bot's answer stood for AUTO_RESOLVE_MINUTES", { now: 15 * MINUTE }, { type: "close", reason: "auto_resolved" }],
    ["the bot's answer has not stood long enough", { now: 10 * MINUTE }, { type: "rearm", at: 15 * MINUTE }],
    ["something else came last (a question, a person asked for)", { answeredLast: false, now: 15 * MINUTE }, { type: "rearm", at: 30 * MINUTE }],
    ["something else came last and the idle time passed", { answeredLast: false, now: 30 * MINUTE }, { type: "close", reason: "idle_timeout" }],
    ["auto-resolve is off", { autoResolveMs: null, now: 20 * MINUTE }, { type: "rearm", at: 30 * MINUTE }],
    ["the idle time is the shorter one", { idleMs: 5 * MINUTE, now: 5 * MINUTE }, { type: "close", reason: "idle_timeout" }],
    ["a turn is still running", { now: 40 * MINUTE, pendingTurns: 1 }, { type: "rearm", at: 40 * MINUTE + 1_000 }],
    ["the conversation is closed", { status: "closed" as const, now: 40 * MINUTE }, { type: "none" }],
  ])("when %s", (_name, input, decision) => {
    expect(idleDecision({ ...base, ...input })).toEqual(decision);
  });

  it("first looks after the sooner of the two times", () => {
    expect(firstCheckMs(30 * MINUTE, 15 * MINUTE)).toBe(15 * MINUTE);
    expect(firstCheckMs(30 * MINUTE, null)).toBe(30 * MINUTE);
    expect(firstCheckMs(MINUTE, 15 * MINUTE)).toBe(MINUTE);
  });
});

describe("what may close as resolved", () => {
  const reply = (decision: "answer" | "clarify" | "offer_handoff" | "smalltalk"): Message => ({ seq: 2, role: "assistant", text: "…", createdAt: "", replyTo: 1, meta: { mode: "normal", answerer: "kb", locale: "en", decision } });
  it.each([
    ["the bot's answer, nobody asked for", reply("answer"), "none", true],
    ["the bot's answer after an agent handed the chat back", reply("answer"), "ended", true],
    ["a clarifying question", reply("clarify"), "none", false],
    ["an offer of a person", reply("offer_handoff"), "none", false],
    ["small talk", reply("smalltalk"), "none", false],
    ["the bot's answer while waiting for a person", reply("answer"), "queued", false],
    ["the bot's answer after being offered a message", reply("answer"), "offline", false],
    ["an agent's message", { seq: 3, role: "agent", text: "…", createdAt: "" } satisfies Message, "assigned", false],
    ["a customer's message", { seq: 1, role: "customer", text: "…", createdAt: "" } satisfies Message, "none", false],
    ["nothing at all", null, "none", false],
  ] as const)("%s: %s", (_name, last, handoff, expected) => {
    expect(resolvable(last, handoff)).toBe(expected);
  });
});
