import { describe, expect, it } from "vitest";
import { afterReply, applyDeskUpdate, botSilent, feedbackRefusal, initialHandoff, leaveMessageRefusal, requested, requestReason, withDesk, type HandoffRecord } from "../../src/conversation/handoff.ts";
import type { Message } from "../../src/conversation/types.ts";

const reply = (meta: Message["meta"]): Message => ({ seq: 2, role: "assistant", text: "…", createdAt: "2026-01-01T00:00:00.000Z", replyTo: 1, meta });
const offer = (reason: "requested" | "negative_sentiment" | "repeated_failures") => reply({ mode: "normal", answerer: "policy", locale: "en", decision: "offer_handoff", handoff: { reason } });
const at = (record: Partial<HandoffRecord>): HandoffRecord => ({ ...initialHandoff("support"), ...record });

describe("a conversation's handoff record", () => {
  it("follows its desk's updates, telling the customer only what changed", () => {
    const queued = applyDeskUpdate(initialHandoff("support"), { team: "support", revision: 3, frame: { type: "handoff", state: "queued", position: 2 } });
    expect(queued).toMatchObject({ changed: true, record: { status: "queued", revision: 3 } });
    expect(applyDeskUpdate(queued.record, { team: "support", revision: 4, frame: { type: "handoff", state: "queued", position: 2 } }).changed).toBe(false);
    const assigned = applyDeskUpdate(queued.record, { team: "support", revision: 5, frame: { type: "handoff", state: "assigned", agent: { name: "Ana" } } });
    expect(botSilent(assigned.record)).toBe(true);
  });

  it("ignores an update older than the last from the same desk, and takes one from another desk as a transfer", () => {
    const now = at({ status: "assigned", revision: 9, frame: { type: "handoff", state: "assigned" } });
    const stale = applyDeskUpdate(now, { team: "support", revision: 8, frame: { type: "handoff", state: "queued", position: 1 } });
    expect(stale).toEqual({ record: now, changed: false });
    const moved = applyDeskUpdate(now, { team: "billing", revision: 1, frame: { type: "handoff", state: "queued", position: 1 } });
    expect(moved.record).toMatchObject({ team: "billing", status: "queued", revision: 1 });
  });

  it.each([
    ["none", at({}), false],
    ["queued", at({ status: "queued" }), true],
    ["assigned", at({ status: "assigned" }), true],
    ["offered a message while keeping the place", at({ status: "offline", frame: { type: "handoff", state: "offline", reason: "max_wait", position: 1 } }), true],
    ["offered a message and never queued", at({ status: "offline", frame: { type: "handoff", state: "offline", reason: "no_agents" } }), false],
    ["ended", at({ status: "ended" }), false],
  ])("tells the desk about customer messages when %s: %s", (_name, record, expected) => {
    expect(withDesk(record)).toBe(expected);
  });
});

describe("why a person is asked for", () => {
  it("asking in words is a request; the bot's own offer is remembered for when it is accepted", () => {
    expect(afterReply(initialHandoff("support"), offer("requested")).request).toBe("customer_request");
    const offered = afterReply(initialHandoff("support"), offer("repeated_failures"));
    expect(offered).toMatchObject({ request: null, record: { offer: "repeated_failures" } });
    expect(requestReason(offered.record, undefined)).toBe("repeated_failures");
    expect(requestReason(offered.record, "customer_request")).toBe("customer_request");
    expect(requestReason(initialHandoff("support"), undefined)).toBe("customer_request");
    expect(afterReply(initialHandoff("support"), reply({ mode: "normal", answerer: "kb", locale: "en", decision: "answer" })).request).toBeNull();
  });

  it("a new request starts afresh; asking again while queued keeps the first time and reason", () => {
    const first = requested(at({ offer: "negative_sentiment" }), "negative_sentiment", 1_000);
    expect(first).toMatchObject({ requestedAt: 1_000, reason: "negative_sentiment", offer: null });
    const queued = { ...first, status: "queued" as const };
    expect(requested(queued, "customer_request", 2_000)).toBe(queued);
  });
});

describe("what the customer may do", () => {
  it.each([
    ["before a person was asked for", at({}), "handoff_not_requested"],
    ["while waiting", at({ status: "queued" }), null],
    ["when offered", at({ status: "offline" }), null],
    ["while an agent has the conversation", at({ status: "assigned" }), "conversation_assigned"],
    ["after the handoff ended", at({ status: "ended" }), "handoff_not_requested"],
  ])("leaving a message %s: %s", (_name, record, code) => {
    expect(leaveMessageRefusal(record)).toBe(code);
  });

  it.each([
    ["a bot answer", reply(undefined), null],
    ["a customer message", { ...reply(undefined), role: "customer" as const }, "feedback_not_allowed"],
    ["an agent message", { ...reply(undefined), role: "agent" as const }, "feedback_not_allowed"],
    ["no message", null, "message_not_found"],
  ])("feedback on %s: %s", (_name, message, code) => {
    expect(feedbackRefusal(message)).toBe(code);
  });
});
