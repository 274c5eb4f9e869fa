import { describe, expect, it } from "vitest";
import { nextDeadline } from "../../src/desk/desk.ts";
import { emptyDesk } from "../../src/desk/model.ts";
import { queueItems } from "../../src/desk/queue.ts";
import { cid, MINUTE, SECOND, TestDesk, testConfig } from "../support/desk.ts";

// testConfig: first response within 2 minutes, next response within 5, warning at 75 %.

function slaOf(desk: TestDesk, n: number, at: number) {
  const item = queueItems(desk.state, at, desk.config).find((i) => i.conversationId === cid(n))!;
  return [item.sla, item.slaKind];
}

/** ana (capacity 1) is busy with 1; 2 waits from t = 0. */
function waitingDesk(): TestDesk {
  const desk = new TestDesk();
  desk.agent("ana", 1);
  desk.enqueue(1, {}, 0);
  desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) });
  desk.enqueue(2, {}, 0);
  return desk;
}

describe("first-response SLA", () => {
  it("goes from ok to warning to breached while the customer waits, counting the breach once", () => {
    const desk = waitingDesk();
    expect(slaOf(desk, 2, 89 * SECOND)).toEqual(["ok", "first_response"]);
    expect(slaOf(desk, 2, 90 * SECOND)).toEqual(["warning", "first_response"]);

    desk.tick(90 * SECOND);
    expect(desk.effects).toEqual([{ type: "queue_changed" }]);

    desk.tick(2 * MINUTE);
    expect(desk.effects).toEqual([{ type: "sla_breach", conversationId: cid(2), kind: "first_response", agentId: null }, { type: "queue_changed" }]);
    expect(desk.state.breaches).toEqual({ firstResponse: 1, nextResponse: 0 });
    expect(slaOf(desk, 2, 2 * MINUTE)).toEqual(["breached", "first_response"]);

    desk.tick(3 * MINUTE);
    expect(desk.effectsOf("sla_breach")).toEqual([]);
    expect(desk.state.breaches.firstResponse).toBe(1);
  });

  it("stops when the agent first replies", () => {
    const desk = waitingDesk();
    desk.apply({ type: "close", agentId: "ana", conversationId: cid(1), resolution: "resolved" }, 30 * SECOND);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(2) }, 100 * SECOND);
    expect(slaOf(desk, 2, 100 * SECOND)).toEqual(["ok", null]);
    expect(desk.state.conversations[cid(2)]!.firstResponseAt).toBe(100 * SECOND);
    desk.tick(10 * MINUTE);
    expect(desk.state.breaches).toEqual({ firstResponse: 0, nextResponse: 0 });
  });

  it("names the agent when the breach happens while assigned, and keeps running when the conversation changes hands", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben");
    desk.enqueue(1, {}, 0);
    // ana never answers: after a minute ben has it, and the clock still counts from the request.
    desk.tick(MINUTE);
    expect(desk.holder(1)).toBe("ben");
    desk.tick(2 * MINUTE);
    expect(desk.effectsOf("sla_breach")).toEqual([{ type: "sla_breach", conversationId: cid(1), kind: "first_response", agentId: "ben" }]);
  });

  it("counts a late tick's breach once, without a separate warning", () => {
    const desk = waitingDesk();
    desk.tick(10 * MINUTE);
    expect(desk.effectsOf("sla_breach")).toHaveLength(1);
    expect(desk.state.conversations[cid(2)]!.sla).toEqual({ kind: "first_response", since: 0, warned: true, breached: true });
  });
});

describe("next-response SLA", () => {
  it("starts with a customer message after the first answer and stops with the agent's reply", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 10 * SECOND);
    desk.apply({ type: "customer_message", conversationId: cid(1) }, MINUTE);
    expect(slaOf(desk, 1, MINUTE + 4 * MINUTE)).toEqual(["warning", "next_response"]);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 5 * MINUTE);
    expect(slaOf(desk, 1, 5 * MINUTE)).toEqual(["ok", null]);
    desk.tick(60 * MINUTE);
    expect(desk.state.breaches.nextResponse).toBe(0);
  });

  it("breaches once per unanswered message and counts every breach", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 10 * SECOND);
    desk.apply({ type: "customer_message", conversationId: cid(1) }, MINUTE);
    // A second message does not restart the clock of the first.
    desk.apply({ type: "customer_message", conversationId: cid(1) }, 3 * MINUTE);
    desk.tick(6 * MINUTE);
    expect(desk.effectsOf("sla_breach")).toEqual([{ type: "sla_breach", conversationId: cid(1), kind: "next_response", agentId: "ana" }]);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 7 * MINUTE);
    desk.apply({ type: "customer_message", conversationId: cid(1) }, 8 * MINUTE);
    desk.tick(13 * MINUTE);
    expect(desk.state.breaches).toEqual({ firstResponse: 0, nextResponse: 2 });
  });

  it("does not start before the first answer: the first-response clock already runs", () => {
    const desk = waitingDesk();
    desk.apply({ type: "customer_message", conversationId: cid(2) }, 30 * SECOND);
    expect(desk.state.conversations[cid(2)]!.sla).toEqual({ kind: "first_response", since: 0, warned: false, breached: false });
  });
});

describe("the next deadline", () => {
  it("is null for a desk with nothing running", () => {
    expect(nextDeadline(emptyDesk("support"), testConfig)).toBeNull();
  });

  it("is the earliest of reply timeout, SLA marks and max wait, and moves on as each is handled", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1, {}, 0);
    desk.enqueue(2, {}, 20 * SECOND);
    // 1: reply due at 60 s; 2: SLA warning at 20 + 90 s.
    expect(nextDeadline(desk.state, desk.config)).toBe(MINUTE);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 30 * SECOND);
    expect(nextDeadline(desk.state, desk.config)).toBe(110 * SECOND);
    desk.tick(110 * SECOND);
    expect(nextDeadline(desk.state, desk.config)).toBe(140 * SECOND);
    desk.tick(140 * SECOND);
    // Only the max wait is left: 20 s + 10 minutes.
    expect(nextDeadline(desk.state, desk.config)).toBe(20 * SECOND + 10 * MINUTE);
    desk.tick(20 * SECOND + 10 * MINUTE);
    expect(nextDeadline(desk.state, desk.config)).toBeNull();
  });

  it("includes the next-response clock", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 10 * SECOND);
    expect(nextDeadline(desk.state, desk.config)).toBeNull();
    desk.apply({ type: "customer_message", conversationId: cid(1) }, MINUTE);
    expect(nextDeadline(desk.state, desk.config)).toBe(MINUTE + 225 * SECOND);
  });
});
