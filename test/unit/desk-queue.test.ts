import { describe, expect, it } from "vitest";
import { parseBusinessHours } from "../../src/desk/business-hours.ts";
import { applyDeskEvent } from "../../src/desk/desk.ts";
import { SUBJECT_MAX, ticketSubject } from "../../src/desk/tickets.ts";
import { emptyDesk, type DeskConfig } from "../../src/desk/model.ts";
import { readDeskConfig } from "../../src/desk/config.ts";
import { agentViews, DEFAULT_HANDLING_MS, etaSeconds, expectedHandlingMs, handoffFrameOf, positionOf, queueFrame, queueItems } from "../../src/desk/queue.ts";
import { cid, MINUTE, SECOND, TestDesk, testConfig } from "../support/desk.ts";

/** ana (capacity 1) is busy with conversation 1; 2, 3 and 4 wait in that order. */
function fullDesk(): TestDesk {
  const desk = new TestDesk();
  desk.agent("ana", 1);
  for (const n of [1, 2, 3, 4]) desk.enqueue(n, {}, (n - 1) * SECOND);
  return desk;
}

describe("the queue", () => {
  it("orders waiting conversations by how long they have waited", () => {
    const desk = fullDesk();
    expect([1, 2, 3, 4].map((n) => positionOf(desk.state, cid(n)))).toEqual([null, 1, 2, 3]);
  });

  it("joins a conversation once, however often it asks, and tells the customer where they stand again", () => {
    const desk = fullDesk();
    const before = desk.state;
    desk.enqueue(3, { reason: "negative_sentiment" }, 10 * SECOND);
    expect(desk.state).toEqual(before);
    expect(desk.effects).toEqual([{ type: "handoff", conversationId: cid(3), frame: { type: "handoff", state: "queued", position: 2, etaSeconds: 600 } }]);
  });

  it("updates positions and estimates live as the queue moves, sending only what changed", () => {
    const desk = fullDesk();
    // One chat slot online and no history yet: five minutes per conversation ahead and own.
    expect([2, 3, 4].map((n) => handoffFrameOf(desk.state, cid(n)))).toEqual([
      { type: "handoff", state: "queued", position: 1, etaSeconds: 300 },
      { type: "handoff", state: "queued", position: 2, etaSeconds: 600 },
      { type: "handoff", state: "queued", position: 3, etaSeconds: 900 },
    ]);
    desk.apply({ type: "close", agentId: "ana", conversationId: cid(1), resolution: "resolved" }, 2 * MINUTE);
    // The desk now knows a conversation takes two minutes.
    expect(desk.effectsOf("handoff")).toEqual([
      { type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "ended" } },
      { type: "handoff", conversationId: cid(2), frame: { type: "handoff", state: "assigned", agent: { name: "ANA" } } },
      { type: "handoff", conversationId: cid(3), frame: { type: "handoff", state: "queued", position: 1, etaSeconds: 120 } },
      { type: "handoff", conversationId: cid(4), frame: { type: "handoff", state: "queued", position: 2, etaSeconds: 240 } },
    ]);
    desk.tick(2 * MINUTE + SECOND);
    expect(desk.effectsOf("handoff")).toEqual([]);
  });

  it("shortens estimates when more chat slots come online, and drops them when none are", () => {
    const desk = fullDesk();
    desk.agent("ben", 1);
    // ben takes 2 at once; 3 and 4 now wait for either of two slots.
    expect(desk.effectsOf("handoff")).toEqual([
      { type: "handoff", conversationId: cid(2), frame: { type: "handoff", state: "assigned", agent: { name: "BEN" } } },
      { type: "handoff", conversationId: cid(3), frame: { type: "handoff", state: "queued", position: 1, etaSeconds: 150 } },
      { type: "handoff", conversationId: cid(4), frame: { type: "handoff", state: "queued", position: 2, etaSeconds: 300 } },
    ]);
    desk.apply({ type: "presence", agentId: "ana", status: "away" });
    desk.apply({ type: "presence", agentId: "ben", status: "away" });
    expect(etaSeconds(desk.state, cid(3))).toBeNull();
    // Nobody is online now: the customer keeps their place and is offered to leave a message.
    expect(handoffFrameOf(desk.state, cid(3))).toEqual({ type: "handoff", state: "offline", reason: "no_agents", position: 1 });
  });

  it("estimates from the median of recent handling times, rounded up to ten seconds", () => {
    const state = { ...emptyDesk("support"), handlingMs: [60_000, 600_000, 90_000] };
    expect(expectedHandlingMs(emptyDesk("support"))).toBe(DEFAULT_HANDLING_MS);
    expect(expectedHandlingMs(state)).toBe(90_000);
    expect(expectedHandlingMs({ ...state, handlingMs: [60_000, 90_000] })).toBe(75_000);
  });

  it("keeps only the latest twenty handling times", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    for (let n = 1; n <= 25; n++) {
      desk.enqueue(n, {}, n * MINUTE);
      desk.apply({ type: "close", agentId: "ana", conversationId: cid(n), resolution: "resolved" }, n * MINUTE + n * SECOND);
    }
    expect(desk.state.handlingMs).toEqual(Array.from({ length: 20 }, (_, i) => (i + 6) * SECOND));
  });

  it("lists waiting conversations in order, then assigned ones, with what agents need to choose", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1, { reason: "customer_request", language: "de", region: "weur" }, 0);
    desk.enqueue(2, { reason: "repeated_failures", language: "zh", region: "apac", sentiment: { average: -0.4, last: -0.9 } }, 10 * SECOND);
    desk.apply({ type: "customer_message", conversationId: cid(1), sentiment: { average: 0.3, last: 0.6 } });
    const items = queueItems(desk.state, 95 * SECOND, desk.config);
    expect(items).toEqual([
      {
        conversationId: cid(2),
        reason: "repeated_failures",
        language: "zh",
        region: "apac",
        status: "waiting",
        position: 1,
        agent: null,
        waitingSeconds: 85,
        sentiment: -0.4,
        trend: "worsening",
        sla: "ok",
        slaKind: "first_response",
        slaDueSeconds: 35,
      },
      {
        conversationId: cid(1),
        reason: "customer_request",
        language: "de",
        region: "weur",
        status: "assigned",
        position: null,
        agent: { agentId: "ana", name: "ANA" },
        waitingSeconds: null,
        sentiment: 0.3,
        trend: "improving",
        sla: "warning",
        slaKind: "first_response",
        slaDueSeconds: 25,
      },
    ]);
    expect(agentViews(desk.state)).toEqual([{ agentId: "ana", name: "ANA", presence: "online", capacity: 1, active: 1 }]);
  });

  it("a customer who leaves takes their place in the queue with them", () => {
    const desk = fullDesk();
    desk.apply({ type: "withdraw", conversationId: cid(2) });
    expect(desk.holder(2)).toBe("gone");
    expect(positionOf(desk.state, cid(3))).toBe(1);
    desk.apply({ type: "withdraw", conversationId: cid(1) });
    expect(desk.effectsOf("unassigned")).toEqual([{ type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "closed" }]);
    expect(desk.holder(3)).toBe("ana");
    const before = desk.state;
    expect(desk.apply({ type: "withdraw", conversationId: cid(99) })).toEqual({ state: before, effects: [] });
  });
});

describe("offers to leave a message", () => {
  it("outside business hours the customer is offered a message and not queued", () => {
    const hours = parseBusinessHours("Mon-Fri 09:00-17:00 UTC");
    if (!hours.ok) throw new Error(hours.issue);
    const config: DeskConfig = { ...testConfig, businessHours: hours.hours };
    const desk = new TestDesk(config);
    desk.apply({ type: "connect", agentId: "ana", name: "Ana", sockets: 1 }, Date.parse("2025-01-04T10:00:00Z"));
    desk.enqueue(1);
    expect(desk.effects).toEqual([
      { type: "offer_offline", conversationId: cid(1), reason: "closed_hours" },
      { type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "offline", reason: "closed_hours" } },
    ]);
    expect(desk.holder(1)).toBe("gone");
    desk.enqueue(1, {}, Date.parse("2025-01-06T09:00:00Z"));
    expect(desk.holder(1)).toBe("ana");
  });

  it.each([
    ["no agent has a console open", (desk: TestDesk) => void desk.apply({ type: "disconnect", agentId: "ana", sockets: 0 })],
    ["every agent is away", (desk: TestDesk) => void desk.apply({ type: "presence", agentId: "ana", status: "away" })],
  ])("when %s the customer is offered a message and keeps a place in the queue", (_name, arrange) => {
    const desk = new TestDesk();
    desk.agent("ana");
    arrange(desk);
    desk.enqueue(1);
    expect(desk.effects).toEqual([
      { type: "offer_offline", conversationId: cid(1), reason: "no_agents" },
      { type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "offline", reason: "no_agents", position: 1 } },
      { type: "queue_changed" },
    ]);
    expect(desk.holder(1)).toBe("waiting");
  });

  it("gives customers who asked while nobody was online to the first agent who comes online, in the order they asked", () => {
    const desk = new TestDesk();
    for (const n of [1, 2, 3]) desk.enqueue(n, {}, n * SECOND);
    expect([1, 2, 3].map((n) => handoffFrameOf(desk.state, cid(n)))).toEqual([1, 2, 3].map((position) => ({ type: "handoff", state: "offline", reason: "no_agents", position })));
    desk.agent("ana", 2, "Ana");
    expect([1, 2, 3].map((n) => desk.holder(n))).toEqual(["ana", "ana", "waiting"]);
    // The one still waiting now has someone to wait for: the estimate comes back and the offer stands.
    expect(desk.effectsOf("handoff")).toEqual([
      { type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "assigned", agent: { name: "Ana" } } },
      { type: "handoff", conversationId: cid(2), frame: { type: "handoff", state: "assigned", agent: { name: "Ana" } } },
      { type: "handoff", conversationId: cid(3), frame: { type: "handoff", state: "offline", reason: "no_agents", position: 1, etaSeconds: 150 } },
    ]);
  });

  it("refuses a request for a person past the team's MAX_QUEUE_LENGTH with queue_full, but never a transfer", () => {
    const desk = new TestDesk({ ...testConfig, maxQueueLength: 2 });
    desk.enqueue(1, {}, SECOND);
    desk.enqueue(2, {}, 2 * SECOND);
    const before = desk.state;
    expect(desk.enqueue(3)).toEqual({ state: before, effects: [], error: "queue_full" });
    // Asking again from inside the queue is not a new place.
    expect(desk.enqueue(2).error).toBeUndefined();
    // A transfer keeps the place its customer had at the other desk.
    expect(desk.enqueue(4, { transfer: true, since: 0, responded: true }, 3 * SECOND).error).toBeUndefined();
    expect(positionOf(desk.state, cid(4))).toBe(1);
    // Only waiting conversations count: those taken by an agent make room.
    desk.agent("ana", 2);
    expect(desk.enqueue(3).error).toBeUndefined();
  });

  it("after waiting the maximum time the customer is offered a message once, and keeps their place", () => {
    const desk = fullDesk();
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 5 * SECOND);
    desk.tick(SECOND + 10 * MINUTE - 1);
    expect(desk.effectsOf("offer_offline")).toEqual([]);
    desk.tick(SECOND + 10 * MINUTE);
    expect(desk.effectsOf("offer_offline")).toEqual([{ type: "offer_offline", conversationId: cid(2), reason: "max_wait" }]);
    desk.tick(3 * SECOND + 10 * MINUTE);
    expect(desk.effectsOf("offer_offline")).toEqual([3, 4].map((n) => ({ type: "offer_offline", conversationId: cid(n), reason: "max_wait" })));
    desk.tick(60 * MINUTE);
    expect(desk.effectsOf("offer_offline")).toEqual([]);
    expect(positionOf(desk.state, cid(2))).toBe(1);
    // The customer's frame carries the offer and the place kept.
    expect(handoffFrameOf(desk.state, cid(2))).toMatchObject({ state: "offline", reason: "max_wait", position: 1 });
  });

  it("when the last online agent leaves, everyone still waiting is offered a message once", () => {
    const desk = fullDesk();
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) });
    desk.apply({ type: "presence", agentId: "ana", status: "away" });
    expect(desk.effectsOf("offer_offline")).toEqual([2, 3, 4].map((n) => ({ type: "offer_offline", conversationId: cid(n), reason: "no_agents" })));
    // Away keeps the chat ana has; the others keep their places.
    expect(desk.holder(1)).toBe("ana");
    desk.tick(60 * MINUTE);
    expect(desk.effectsOf("offer_offline")).toEqual([]);
  });
});

describe("offline tickets", () => {

  it("leaving a message creates a ticket naming the conversation, and leaves the queue", () => {
    const desk = fullDesk();
    desk.apply({ type: "leave_message", conversationId: cid(3), ticketId: "t-1", language: "en" }, 90 * SECOND);
    expect(desk.state.tickets).toEqual([{ ticketId: "t-1", conversationId: cid(3), language: "en", createdAt: 90 * SECOND }]);
    expect(desk.effectsOf("tickets_changed")).toHaveLength(1);
    expect(desk.effectsOf("handoff")).toEqual([
      { type: "handoff", conversationId: cid(3), frame: { type: "handoff", state: "ended" } },
      { type: "handoff", conversationId: cid(4), frame: { type: "handoff", state: "queued", position: 2, etaSeconds: 600 } },
    ]);
    // Nothing of the message or the address is kept in the desk.
    expect(JSON.stringify(desk.state)).not.toContain("@");
  });

  it("accepts a message from a conversation that was never queued (closed hours)", () => {
    const hours = parseBusinessHours("Mon-Fri 09:00-17:00 UTC");
    if (!hours.ok) throw new Error(hours.issue);
    const desk = new TestDesk({ ...testConfig, businessHours: hours.hours });
    desk.enqueue(1, {}, Date.parse("2025-01-04T10:00:00Z"));
    desk.apply({ type: "leave_message", conversationId: cid(1), ticketId: "t-1", language: "de" });
    expect(desk.state.tickets.map((t) => [t.conversationId, t.language])).toEqual([[cid(1), "de"]]);
    expect(desk.effects).toEqual([{ type: "tickets_changed" }]);
  });

  it("a customer queued while nobody was online who leaves a message leaves the queue", () => {
    const desk = new TestDesk();
    desk.enqueue(1);
    desk.apply({ type: "leave_message", conversationId: cid(1), ticketId: "t-1", language: "de" });
    expect(desk.holder(1)).toBe("gone");
    expect(desk.effects).toEqual([{ type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "ended" } }, { type: "tickets_changed" }, { type: "queue_changed" }]);
    desk.agent("ana");
    expect(desk.effectsOf("assigned")).toEqual([]);
  });

  it("keeps one ticket per conversation", () => {
    const desk = new TestDesk();
    desk.apply({ type: "leave_message", conversationId: cid(1), ticketId: "t-1", language: "en" });
    const before = desk.state;
    expect(desk.apply({ type: "leave_message", conversationId: cid(1), ticketId: "t-2", language: "en" })).toEqual({ state: before, effects: [] });
  });

  it("refuses a ticket past the team's MAX_OPEN_TICKETS with too_many_tickets, until one is closed", () => {
    const desk = new TestDesk({ ...testConfig, maxOpenTickets: 2 });
    desk.apply({ type: "connect", agentId: "ana", name: "Ana", sockets: 1 });
    for (const n of [1, 2]) desk.apply({ type: "leave_message", conversationId: cid(n), ticketId: `t-${n}`, language: "en" });
    const before = desk.state;
    expect(desk.apply({ type: "leave_message", conversationId: cid(3), ticketId: "t-3", language: "en" })).toEqual({ state: before, effects: [], error: "too_many_tickets" });
    // A conversation that already has a ticket is not refused: it changes nothing.
    expect(desk.apply({ type: "leave_message", conversationId: cid(2), ticketId: "t-4", language: "en" }).error).toBeUndefined();
    desk.apply({ type: "close_ticket", agentId: "ana", ticketId: "t-1" });
    expect(desk.apply({ type: "leave_message", conversationId: cid(3), ticketId: "t-3", language: "en" }).error).toBeUndefined();
    expect(desk.state.tickets.map((t) => t.ticketId)).toEqual(["t-2", "t-3"]);
  });

  it("refuses a message while an agent has the conversation", () => {
    const desk = fullDesk();
    expect(desk.apply({ type: "leave_message", conversationId: cid(1), ticketId: "t-1", language: "en" }).error).toBe("conversation_assigned");
  });

  it("an agent closes a ticket once it is dealt with", () => {
    const desk = fullDesk();
    desk.apply({ type: "leave_message", conversationId: cid(4), ticketId: "t-1", language: "en" });
    expect(desk.apply({ type: "close_ticket", agentId: "ana", ticketId: "t-9" }).error).toBe("ticket_not_found");
    expect(desk.apply({ type: "close_ticket", agentId: "zed", ticketId: "t-1" }).error).toBe("agent_not_found");
    desk.apply({ type: "close_ticket", agentId: "ana", ticketId: "t-1" });
    expect(desk.state.tickets).toEqual([]);
    expect(desk.effects).toEqual([{ type: "tickets_changed" }]);
  });

  it.each([
    ["the first non-empty line", "\n\n  Refund   please \nmore", "Refund please"],
    ["whitespace collapsed", "  My parcel never arrived   and\n\nI paid for express.", "My parcel never arrived and"],
    ["a long line cut with an ellipsis", "x".repeat(200), `${"x".repeat(SUBJECT_MAX - 1)}…`],
    ["characters, not UTF-16 units", "😀".repeat(100), `${"😀".repeat(SUBJECT_MAX - 1)}…`],
    ["nothing for blank text", "  \n ", ""],
  ])("a ticket subject is %s", (_name, input, subject) => {
    expect(ticketSubject(input)).toBe(subject);
  });
});

describe("desk state", () => {
  it("is plain JSON, and events never change the state they are given", () => {
    const desk = fullDesk();
    desk.apply({ type: "leave_message", conversationId: cid(4), ticketId: "t-1", language: "en" });
    const frozen = JSON.stringify(desk.state);
    const outcome = applyDeskEvent(desk.state, { type: "close", agentId: "ana", conversationId: cid(1), resolution: "resolved" }, MINUTE, desk.config);
    expect(JSON.stringify(desk.state)).toBe(frozen);
    expect(JSON.parse(JSON.stringify(outcome.state))).toEqual(outcome.state);
    expect(outcome.state.conversations[cid(2)]!.agentId).toBe("ana");
  });
});

describe("desk settings", () => {
  it("uses defaults for absent or malformed numbers and always-open without business hours", () => {
    expect(readDeskConfig({ replyTimeoutSeconds: "soon", maxWaitSeconds: "0", warningRatio: "2" })).toEqual({
      ok: true,
      config: { replyTimeoutMs: 90_000, maxWaitMs: 600_000, sla: { firstResponseMs: 120_000, nextResponseMs: 300_000, warningRatio: 0.8 }, businessHours: null, maxOpenTickets: 500, maxQueueLength: 200 },
    });
  });

  it("reads every setting", () => {
    const read = readDeskConfig({ businessHours: "Mon-Fri 09:00-17:00 UTC", replyTimeoutSeconds: "45", maxWaitSeconds: "900", firstResponseSeconds: "60", nextResponseSeconds: "240", warningRatio: "0.5", maxOpenTickets: "50", maxQueueLength: "30" });
    expect(read.ok && read.config).toEqual({
      replyTimeoutMs: 45_000,
      maxWaitMs: 900_000,
      sla: { firstResponseMs: 60_000, nextResponseMs: 240_000, warningRatio: 0.5 },
      businessHours: { timeZone: "UTC", windows: [0, 1, 2, 3, 4].map((day) => ({ day, start: 540, end: 1020 })) },
      maxOpenTickets: 50,
      maxQueueLength: 30,
    });
  });

  it("refuses malformed business hours rather than guessing", () => {
    expect(readDeskConfig({ businessHours: "weekdays 9 to 5" })).toEqual({ ok: false, issue: expect.stringContaining("BUSINESS_HOURS:") });
  });
});

describe("the queue frame", () => {
  it("carries the items, the team's agents and the breach counters", () => {
    const desk = fullDesk();
    const frame = queueFrame(desk.state, 5 * SECOND, desk.config);
    expect(frame.type).toBe("queue");
    expect(frame.items.map((i) => [i.position, i.status])).toEqual([
      [1, "waiting"],
      [2, "waiting"],
      [3, "waiting"],
      [null, "assigned"],
    ]);
    expect(frame.agents.map((a) => [a.agentId, a.active])).toEqual([["ana", 1]]);
    expect(frame.breaches).toEqual({ firstResponse: 0, nextResponse: 0 });
  });
});
