import { describe, expect, it } from "vitest";
import { checkAssigned } from "../../src/desk/desk.ts";
import { activeConversations, loadOf, type DeskEvent } from "../../src/desk/model.ts";
import { cid, MINUTE, SECOND, TestDesk } from "../support/desk.ts";

describe("automatic assignment", () => {
  it("gives a new conversation to an online agent with room at once, and tells the customer who", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1);
    expect(desk.effectsOf("assigned")).toEqual([{ type: "assigned", agentId: "ana", conversationId: cid(1) }]);
    expect(desk.effectsOf("handoff")).toEqual([{ type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "assigned", agent: { name: "ANA" } } }]);
    expect(desk.effectsOf("queue_changed")).toHaveLength(1);
  });

  it("never gives an agent more conversations than their capacity", () => {
    const desk = new TestDesk();
    desk.agent("ana", 2);
    for (const n of [1, 2, 3]) desk.enqueue(n, {}, n * SECOND);
    expect([1, 2, 3].map((n) => desk.holder(n))).toEqual(["ana", "ana", "waiting"]);
    expect(loadOf(desk.state, "ana")).toBe(2);
    expect(activeConversations(desk.state, "ana")).toEqual([cid(1), cid(2)]);
  });

  it("serves the longest-waiting conversation first when a slot frees up", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1, {}, 0);
    desk.enqueue(3, {}, 1 * SECOND);
    desk.enqueue(2, {}, 2 * SECOND);
    desk.apply({ type: "close", agentId: "ana", conversationId: cid(1), resolution: "resolved" }, 3 * SECOND);
    expect(desk.holder(3)).toBe("ana");
    expect(desk.holder(2)).toBe("waiting");
  });

  it("gives the next conversation to the least-loaded online agent", () => {
    const desk = new TestDesk();
    desk.agent("ana", 5);
    desk.enqueue(1);
    desk.enqueue(2);
    desk.agent("ben", 5);
    desk.enqueue(3);
    desk.enqueue(4);
    expect([1, 2, 3, 4].map((n) => desk.holder(n))).toEqual(["ana", "ana", "ben", "ben"]);
    desk.enqueue(5);
    // Equal load now: ana was assigned longest ago.
    expect(desk.holder(5)).toBe("ana");
  });

  it("takes turns between equally loaded agents", () => {
    const desk = new TestDesk();
    for (const id of ["ana", "ben", "cho"]) desk.agent(id, 5);
    for (const n of [1, 2, 3, 4, 5, 6]) desk.enqueue(n);
    expect([1, 2, 3, 4, 5, 6].map((n) => desk.holder(n))).toEqual(["ana", "ben", "cho", "ana", "ben", "cho"]);
  });

  it("takes turns even when every conversation is closed before the next arrives", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben");
    const served: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      desk.enqueue(n);
      served.push(desk.holder(n));
      desk.apply({ type: "close", agentId: desk.holder(n), conversationId: cid(n), resolution: "resolved" });
    }
    expect(served).toEqual(["ana", "ben", "ana", "ben"]);
  });

  it("assigns waiting conversations as soon as an agent comes online", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1);
    desk.enqueue(2);
    desk.agent("ben", 1);
    expect(desk.holder(2)).toBe("ben");
    expect(desk.effectsOf("assigned")).toEqual([{ type: "assigned", agentId: "ben", conversationId: cid(2) }]);
  });

  it("assigns waiting conversations when an agent raises their capacity", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1);
    desk.enqueue(2);
    desk.apply({ type: "presence", agentId: "ana", status: "online", capacity: 2 });
    expect(desk.holder(2)).toBe("ana");
  });

  it("lowering capacity below the current load keeps the conversations but brings no new ones", () => {
    const desk = new TestDesk();
    desk.agent("ana", 3);
    for (const n of [1, 2, 3]) desk.enqueue(n);
    desk.apply({ type: "presence", agentId: "ana", status: "online", capacity: 1 });
    desk.apply({ type: "close", agentId: "ana", conversationId: cid(1), resolution: "resolved" });
    desk.enqueue(4);
    expect([1, 2, 3, 4].map((n) => desk.holder(n))).toEqual(["gone", "ana", "ana", "waiting"]);
  });
});

describe("presence", () => {
  it("an away agent keeps their conversations but gets no new ones, and picks up again when back online", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben", 1);
    desk.enqueue(1);
    desk.enqueue(2);
    expect([desk.holder(1), desk.holder(2)]).toEqual(["ana", "ben"]);
    desk.apply({ type: "presence", agentId: "ana", status: "away" });
    expect(desk.effectsOf("presence")).toEqual([{ type: "presence", agentId: "ana", status: "away", capacity: 3, cause: "agent" }]);
    expect(desk.effectsOf("unassigned")).toEqual([]);
    desk.enqueue(3);
    expect([desk.holder(1), desk.holder(3)]).toEqual(["ana", "waiting"]);
    desk.apply({ type: "presence", agentId: "ana", status: "online" });
    expect(desk.holder(3)).toBe("ana");
  });

  it("an agent whose last socket closes loses every conversation to the queue, ahead of later requests, and others take them", () => {
    const desk = new TestDesk();
    desk.agent("ana", 2);
    desk.enqueue(1, {}, 0);
    desk.enqueue(2, {}, 1 * SECOND);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) });
    desk.enqueue(3, {}, 2 * SECOND);
    desk.agent("ben", 2);
    expect(desk.holder(3)).toBe("ben");
    desk.enqueue(4, {}, 3 * SECOND);
    desk.enqueue(5, {}, 4 * SECOND);
    expect(desk.holder(5)).toBe("waiting");

    desk.apply({ type: "disconnect", agentId: "ana", sockets: 0 }, 5 * SECOND);
    expect(desk.effectsOf("unassigned").map((e) => [e.conversationId, e.reason])).toEqual([
      [cid(1), "offline"],
      [cid(2), "offline"],
    ]);
    expect(desk.effectsOf("presence")).toEqual([{ type: "presence", agentId: "ana", status: "offline", capacity: 2, cause: "connection" }]);
    // ben has room for none; the queue is ordered by when customers asked, so 1 and 2 are first.
    expect(desk.state.conversations[cid(1)]!.status).toBe("waiting");
    desk.apply({ type: "close", agentId: "ben", conversationId: cid(3), resolution: "resolved" });
    expect(desk.holder(1)).toBe("ben");
    expect(desk.holder(5)).toBe("waiting");
  });

  it("closing one of two consoles keeps the agent online with their conversations", () => {
    const desk = new TestDesk();
    desk.apply({ type: "connect", agentId: "ana", name: "Ana", sockets: 1 });
    desk.apply({ type: "connect", agentId: "ana", name: "Ana", sockets: 2 });
    desk.enqueue(1);
    desk.apply({ type: "disconnect", agentId: "ana", sockets: 1 });
    expect(desk.holder(1)).toBe("ana");
    expect(desk.effects).toEqual([]);
  });

  it("choosing offline with the console still open hands the conversations back too", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben");
    desk.enqueue(1);
    desk.apply({ type: "presence", agentId: "ana", status: "offline" });
    expect(desk.effectsOf("unassigned")).toEqual([{ type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "offline" }]);
    expect(desk.holder(1)).toBe("ben");
  });

  it("a reconnecting agent comes back with the presence they chose, and new agents start online", () => {
    const desk = new TestDesk();
    desk.agent("ana", 4);
    expect(desk.effects).toEqual([{ type: "presence", agentId: "ana", status: "online", capacity: 4, cause: "connection" }, { type: "queue_changed" }]);
    desk.apply({ type: "presence", agentId: "ana", status: "away" });
    desk.apply({ type: "disconnect", agentId: "ana", sockets: 0 });
    desk.apply({ type: "connect", agentId: "ana", name: "Ana", sockets: 1, capacity: 9 });
    expect(desk.effectsOf("presence")).toEqual([{ type: "presence", agentId: "ana", status: "away", capacity: 4, cause: "connection" }]);
  });

  it("refuses a presence change from an agent with no console open", () => {
    const desk = new TestDesk();
    expect(desk.apply({ type: "presence", agentId: "ghost", status: "online" }).error).toBe("agent_not_found");
  });
});

describe("reply timeout", () => {
  it("an agent who does not reply in time loses the conversation to another agent and is set away", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben");
    desk.enqueue(1, {}, 0);
    desk.enqueue(2, {}, 0);
    expect([desk.holder(1), desk.holder(2)]).toEqual(["ana", "ben"]);
    desk.apply({ type: "agent_replied", agentId: "ben", conversationId: cid(2) }, 30 * SECOND);

    desk.tick(MINUTE - 1);
    expect(desk.holder(1)).toBe("ana");

    desk.tick(MINUTE);
    expect(desk.effectsOf("unassigned")).toEqual([{ type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "timeout" }]);
    expect(desk.effectsOf("presence")).toEqual([{ type: "presence", agentId: "ana", status: "away", capacity: 3, cause: "reply_timeout" }]);
    expect(desk.effectsOf("assigned")).toEqual([{ type: "assigned", agentId: "ben", conversationId: cid(1) }]);
    expect(desk.effectsOf("handoff")).toEqual([{ type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "assigned", agent: { name: "BEN" } } }]);
    // ben replied within his minute, so his conversation stays; the new one has its own minute.
    expect(desk.holder(2)).toBe("ben");
    desk.tick(2 * MINUTE - 1);
    expect(desk.holder(1)).toBe("ben");
  });

  it("an agent who replied keeps the conversation however long the customer then waits", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 10 * SECOND);
    desk.tick(60 * MINUTE);
    expect(desk.holder(1)).toBe("ana");
  });

  it("with nobody else online the conversation waits and the customer is offered to leave a message", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.tick(MINUTE);
    expect(desk.holder(1)).toBe("waiting");
    expect(desk.effectsOf("offer_offline")).toEqual([{ type: "offer_offline", conversationId: cid(1), reason: "no_agents" }]);
    expect(desk.effectsOf("handoff")).toEqual([{ type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "offline", reason: "no_agents", position: 1 } }]);
    // Back at the desk, the agent gets it again.
    desk.apply({ type: "presence", agentId: "ana", status: "online" }, 2 * MINUTE);
    expect(desk.holder(1)).toBe("ana");
  });
});

describe("manual claim", () => {
  /** ana (online, capacity 1) is busy, so conversations 2 and 3 wait; ben is away with room. */
  function busyDesk(): TestDesk {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.agent("ben", 2);
    desk.apply({ type: "presence", agentId: "ben", status: "away" });
    desk.enqueue(1, {}, 0);
    desk.enqueue(2, {}, 1 * SECOND);
    desk.enqueue(3, {}, 2 * SECOND);
    return desk;
  }

  it("lets an agent pick a waiting conversation out of queue order", () => {
    const desk = busyDesk();
    desk.apply({ type: "claim", agentId: "ben", conversationId: cid(3) });
    expect(desk.effectsOf("assigned")).toEqual([{ type: "assigned", agentId: "ben", conversationId: cid(3) }]);
    expect(desk.holder(2)).toBe("waiting");
    expect(desk.effectsOf("handoff")).toContainEqual({ type: "handoff", conversationId: cid(3), frame: { type: "handoff", state: "assigned", agent: { name: "BEN" } } });
  });

  it.each<[string, (desk: TestDesk) => DeskEvent, string]>([
    ["a conversation already with an agent", () => ({ type: "claim", agentId: "ben", conversationId: cid(1) }), "conversation_not_waiting"],
    ["a conversation the desk does not hold", () => ({ type: "claim", agentId: "ben", conversationId: cid(99) }), "conversation_not_found"],
    ["an agent at capacity", () => ({ type: "claim", agentId: "ana", conversationId: cid(2) }), "agent_at_capacity"],
    ["an agent without a console", () => ({ type: "claim", agentId: "cho", conversationId: cid(2) }), "agent_not_found"],
    [
      "an agent who chose offline",
      (desk) => {
        desk.apply({ type: "presence", agentId: "ben", status: "offline" });
        return { type: "claim", agentId: "ben", conversationId: cid(2) };
      },
      "agent_unavailable",
    ],
  ])("refuses a claim of %s, changing nothing", (_name, event, code) => {
    const desk = busyDesk();
    const claim = event(desk);
    const before = desk.state;
    const outcome = desk.apply(claim);
    expect(outcome).toEqual({ state: before, effects: [], error: code });
  });
});

describe("transfer, release and close", () => {
  it("transfers to another agent, whose own reply clock starts", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.agent("ben");
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 10 * SECOND);
    desk.apply({ type: "transfer", agentId: "ana", conversationId: cid(1), to: { agentId: "ben" } }, 20 * SECOND);
    expect(desk.effects.filter((e) => e.type === "unassigned" || e.type === "assigned")).toEqual([
      { type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "transfer" },
      { type: "assigned", agentId: "ben", conversationId: cid(1) },
    ]);
    expect(desk.effectsOf("handoff")).toEqual([{ type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "assigned", agent: { name: "BEN" } } }]);
    desk.tick(20 * SECOND + MINUTE);
    expect(desk.effectsOf("unassigned")).toEqual([{ type: "unassigned", agentId: "ben", conversationId: cid(1), reason: "timeout" }]);
  });

  it.each<[string, DeskEvent, string]>([
    ["to oneself", { type: "transfer", agentId: "ana", conversationId: cid(1), to: { agentId: "ana" } }, "transfer_invalid"],
    ["to an agent without a console", { type: "transfer", agentId: "ana", conversationId: cid(1), to: { agentId: "zed" } }, "agent_not_found"],
    ["to an away agent", { type: "transfer", agentId: "ana", conversationId: cid(1), to: { agentId: "ben" } }, "agent_unavailable"],
    ["to a full agent", { type: "transfer", agentId: "ana", conversationId: cid(1), to: { agentId: "cho" } }, "agent_at_capacity"],
    ["to one's own team", { type: "transfer", agentId: "ana", conversationId: cid(1), to: { team: "support" } }, "transfer_invalid"],
    ["by an agent who does not have it", { type: "transfer", agentId: "cho", conversationId: cid(1), to: { agentId: "ana" } }, "conversation_not_assigned"],
  ])("refuses a transfer %s", (_name, event, code) => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1);
    desk.agent("cho", 1);
    desk.enqueue(2);
    desk.agent("ben");
    desk.apply({ type: "presence", agentId: "ben", status: "away" });
    expect([desk.holder(1), desk.holder(2)]).toEqual(["ana", "cho"]);
    const before = desk.state;
    expect(desk.apply(event)).toEqual({ state: before, effects: [], error: code });
  });

  it("transfers to another team: the conversation leaves this desk with what the other desk needs to queue it", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1, { reason: "negative_sentiment", language: "zh", region: "apac", sentiment: { average: -0.5, last: -0.8 } }, 5 * SECOND);
    desk.enqueue(2, {}, 6 * SECOND);
    desk.apply({ type: "agent_replied", agentId: "ana", conversationId: cid(1) }, 10 * SECOND);
    desk.apply({ type: "transfer", agentId: "ana", conversationId: cid(1), to: { team: "billing" } }, 20 * SECOND);
    const enqueue = { type: "enqueue", conversationId: cid(1), reason: "negative_sentiment", language: "zh", region: "apac", sentiment: { average: -0.5, last: -0.8 }, since: 5 * SECOND, responded: true, transfer: true } as const;
    expect(desk.effectsOf("left_team")).toEqual([{ type: "left_team", conversationId: cid(1), team: "billing", enqueue }]);
    expect(desk.effectsOf("unassigned")).toEqual([{ type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "transfer" }]);
    // The other desk tells the customer where they stand; this one says nothing to them.
    expect(desk.effectsOf("handoff").map((e) => e.conversationId)).toEqual([cid(2)]);
    expect(desk.holder(1)).toBe("gone");
    expect(desk.holder(2)).toBe("ana");

    // On the billing desk it keeps its place (asked at 5 s) and, already answered, runs no first-response clock.
    const billing = new TestDesk(undefined, "billing");
    billing.agent("bo", 1);
    billing.enqueue(7, {}, 1 * SECOND);
    billing.apply(enqueue, 21 * SECOND);
    billing.enqueue(8, {}, 22 * SECOND);
    billing.apply({ type: "close", agentId: "bo", conversationId: cid(7), resolution: "resolved" });
    expect(billing.holder(1)).toBe("bo");
    expect(billing.state.conversations[cid(1)]!.sla).toBeNull();
  });

  it("releases a conversation back to the bot, and the freed slot goes to the next in line", () => {
    const desk = new TestDesk();
    desk.agent("ana", 1);
    desk.enqueue(1, {}, 0);
    desk.enqueue(2, {}, 1 * SECOND);
    desk.apply({ type: "release", agentId: "ana", conversationId: cid(1) }, 2 * SECOND);
    expect(desk.effects.filter((e) => e.type !== "queue_changed")).toEqual([
      { type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "released" },
      { type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "ended" } },
      { type: "assigned", agentId: "ana", conversationId: cid(2) },
      { type: "handoff", conversationId: cid(2), frame: { type: "handoff", state: "assigned", agent: { name: "ANA" } } },
    ]);
  });

  it.each(["resolved", "not_resolved"] as const)("closing as %s ends the handoff and records the handling time", (resolution) => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.apply({ type: "close", agentId: "ana", conversationId: cid(1), resolution }, 4 * MINUTE);
    expect(desk.effects.filter((e) => e.type !== "queue_changed")).toEqual([
      { type: "unassigned", agentId: "ana", conversationId: cid(1), reason: "closed" },
      { type: "handoff", conversationId: cid(1), frame: { type: "handoff", state: "ended" } },
    ]);
    expect(desk.state.handlingMs).toEqual([4 * MINUTE]);
  });

  it("closing as spam ends the handoff without skewing the handling times", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.enqueue(1, {}, 0);
    desk.apply({ type: "close", agentId: "ana", conversationId: cid(1), resolution: "spam" }, 5 * SECOND);
    expect(desk.holder(1)).toBe("gone");
    expect(desk.state.handlingMs).toEqual([]);
  });

  it.each(["release", "close", "agent_replied"] as const)("refuses %s by an agent who does not have the conversation", (type) => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben");
    desk.enqueue(1);
    const event = type === "close" ? { type, agentId: "ben", conversationId: cid(1), resolution: "resolved" as const } : { type, agentId: "ben", conversationId: cid(1) };
    expect(desk.apply(event).error).toBe("conversation_not_assigned");
    expect(desk.holder(1)).toBe("ana");
  });

  it("tells the DO who may write in a conversation", () => {
    const desk = new TestDesk();
    desk.agent("ana");
    desk.agent("ben");
    desk.enqueue(1);
    expect(checkAssigned(desk.state, "ana", cid(1))).toBeNull();
    expect(checkAssigned(desk.state, "ben", cid(1))).toBe("conversation_not_assigned");
    expect(checkAssigned(desk.state, "ana", cid(2))).toBe("conversation_not_found");
  });
});
