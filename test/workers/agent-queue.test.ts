// The desk in workerd: queue order and positions, automatic assignment within capacity,
// manual claims, reassignment when an agent does not answer or goes away, and self-repair's
// requeue of conversations held by agents whose consoles are gone.
import { describe, expect, it } from "vitest";
import { cid, send, SocketClient } from "./helpers.ts";
import { agent, agentCall, desk, frames, handedOver, last, openConsole, queueOf, runTimersIn, team } from "./agent-helpers.ts";
import { eventually } from "./ops-helpers.ts";

describe("the queue", () => {
  it("puts the longest-waiting first and tells each waiting customer their position, live", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const first = await handedOver(t);
    const second = await handedOver(t);
    const third = await handedOver(t);
    const queue = await queueOf(ana);
    expect(queue.items.map((i) => [i.conversationId, i.status, i.position])).toEqual([
      [second.id, "waiting", 1],
      [third.id, "waiting", 2],
      [first.id, "assigned", null],
    ]);
    const watching = await SocketClient.open(third, { after: 1000 });
    await watching.until((c) => c.frames.some((f) => f.type === "handoff"));
    expect(last(watching, "handoff")).toMatchObject({ state: "queued", position: 2, etaSeconds: expect.any(Number) });
    // The first one closes: everyone moves up, and the third customer is told.
    expect((await agentCall(ana.token, `/conversations/${first.id}/close`, { method: "POST", body: { resolution: "resolved" } })).status).toBe(200);
    await watching.until((c) => c.frames.some((f) => f.type === "handoff" && f.position === 1));
    await desk.until((d) => frames(d, "assigned").some((f) => f.conversationId === second.id));
  });

  it("assigns automatically to the least-loaded online agent with room, taking turns between equals, never over capacity", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    await openConsole(ana, { status: "online", capacity: 2 });
    await openConsole(ben, { status: "online", capacity: 1 });
    const convs = [];
    for (let i = 0; i < 4; i++) convs.push(await handedOver(t));
    const holders = (await queueOf(ana)).items;
    const holderOf = (id: string) => holders.find((i) => i.conversationId === id)?.agent?.agentId ?? "waiting";
    // Equals (no chats yet) take turns; then only ana has room; the fourth waits.
    expect(new Set([holderOf(convs[0]!.id), holderOf(convs[1]!.id)])).toEqual(new Set([ana.id, ben.id]));
    expect([holderOf(convs[2]!.id), holderOf(convs[3]!.id)]).toEqual([ana.id, "waiting"]);
  });

  it("lets an agent claim a waiting conversation, and refuses a claim beyond capacity or of a taken one", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const benDesk = await openConsole(ben, { status: "away", capacity: 1 });
    const taken = await handedOver(t);
    const waiting = await handedOver(t);
    const claim = (a: typeof ana, id: string) => agentCall(a.token, `/conversations/${id}/claim`, { method: "POST" });
    const refused = await claim(ben, taken.id);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "conversation_not_waiting" } });
    expect((await claim(ben, waiting.id)).status).toBe(200);
    await benDesk.until((d) => frames(d, "assigned").some((f) => f.conversationId === waiting.id));
    const third = await handedOver(t);
    expect(await (await claim(ben, third.id)).json()).toMatchObject({ error: { code: "agent_at_capacity" } });
  });

  it("gives a conversation the agent does not answer in time back to the queue, to the next agent, and sets the silent agent away", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    const anaDesk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    await anaDesk.until((d) => frames(d, "assigned").length === 1);
    const benDesk = await openConsole(ben, { status: "online", capacity: 1 });
    const customer = await SocketClient.open(conv, { after: 1000 });
    await runTimersIn(t, 10 * 60_000);
    await anaDesk.until((d) => frames(d, "unassigned").length === 1);
    expect(last(anaDesk, "unassigned")).toEqual({ type: "unassigned", conversationId: conv.id, reason: "timeout" });
    expect(last(anaDesk, "presence")).toMatchObject({ status: "away" });
    await benDesk.until((d) => frames(d, "assigned").some((f) => f.conversationId === conv.id));
    await customer.until((c) => c.frames.some((f) => f.type === "handoff" && (f.agent as { name: string } | undefined)?.name === "Ben"));
  });

  it("keeps an agent's conversations through a short disconnect, and reassigns them when the agent stays gone", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    const anaDesk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    await anaDesk.until((d) => frames(d, "assigned").length === 1);
    anaDesk.send({ type: "message", conversationId: conv.id, text: "Hello!", clientMessageId: cid("r1") });
    await anaDesk.until((d) => frames(d, "ack").length === 1);
    const benDesk = await openConsole(ben, { status: "online", capacity: 1 });
    // A reload: the console closes and comes back within the grace period.
    anaDesk.ws.close();
    const back = await openConsole(ana);
    await back.until((d) => frames(d, "assigned").length === 1);
    expect(frames(back, "assigned").map((f) => f.conversationId)).toEqual([conv.id]);
    // Gone for good: after the grace period the conversation moves on.
    back.ws.close();
    await new Promise((r) => setTimeout(r, 100));
    await runTimersIn(t, 60_000);
    await benDesk.until((d) => frames(d, "assigned").some((f) => f.conversationId === conv.id));
    const queue = await queueOf(ben);
    expect(queue.items.find((i) => i.conversationId === conv.id)?.agent?.agentId).toBe(ben.id);
  });

  it("counts an agent going offline as leaving: conversations go straight back to the queue", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const anaDesk = await openConsole(ana, { status: "online", capacity: 2 });
    const conv = await handedOver(t);
    await anaDesk.until((d) => frames(d, "assigned").length === 1);
    anaDesk.send({ type: "presence", status: "offline" });
    await anaDesk.until((d) => frames(d, "unassigned").length === 1);
    expect(last(anaDesk, "unassigned")).toMatchObject({ conversationId: conv.id, reason: "offline" });
    expect((await queueOf(ana)).items).toMatchObject([{ conversationId: conv.id, status: "waiting" }]);
    // The customer keeps their place and, with nobody online, is offered to leave a message.
    const turn = await (await send(conv, "hello?", cid("off1"))).json<{ reply: unknown; handoff?: unknown }>();
    expect(turn.reply).not.toBeNull();
  });

  it("counts SLA breaches per team and shows each conversation's SLA state in the queue", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const busy = await handedOver(t);
    await desk.until((d) => frames(d, "assigned").length === 1);
    desk.send({ type: "message", conversationId: busy.id, text: "With you in a moment", clientMessageId: cid("sla1") });
    await desk.until((d) => frames(d, "ack").length === 1);
    const waiting = await handedOver(t);
    expect((await queueOf(ana)).items.find((i) => i.conversationId === waiting.id)?.sla).toBe("ok");
    // Past the first-response target (120 s by default) with nobody answering the waiting customer.
    await runTimersIn(t, 121_000);
    const queue = await queueOf(ana);
    expect(queue.breaches).toEqual({ firstResponse: 1, nextResponse: 0 });
    expect(queue.items.find((i) => i.conversationId === waiting.id)?.sla).toBe("breached");
    await desk.until((d) => (last(d, "queue")?.breaches as { firstResponse: number } | undefined)?.firstResponse === 1);
  });
});

describe("self-repair's requeue (RegionOpsDO calls it on a queue-wait alert)", () => {
  it("puts back in the queue the conversations of an agent whose consoles are all gone, once their reconnect grace is over", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const screen = await openConsole(ana, { status: "online", capacity: 2 });
    const conv = await handedOver(t);
    await screen.until((c) => frames(c, "assigned").length === 1);
    const stub = desk(t);
    expect(await stub.abandoned(Date.now() + 60_000)).toEqual({ agents: 0, conversations: 0 });

    screen.ws.close(1000, "gone");
    // Within the grace period (10 s) Ana may come back: nothing to requeue yet.
    await eventually(() => stub.abandoned(Date.now() + 60_000), (a) => a.agents === 1);
    expect(await stub.abandoned(Date.now())).toEqual({ agents: 0, conversations: 0 });
    expect(await stub.abandoned(Date.now() + 60_000)).toEqual({ agents: 1, conversations: 1 });

    expect(await stub.requeueAbandoned(Date.now() + 60_000)).toBe(1);
    const queue = await queueOf(ana);
    expect(queue.items.find((i) => i.conversationId === conv.id)).toMatchObject({ status: "waiting", agent: null });
    expect(await stub.requeueAbandoned(Date.now() + 60_000)).toBe(0);
  });
});
