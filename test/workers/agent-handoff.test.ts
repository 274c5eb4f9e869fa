// The customer's side of the handoff, end to end in workerd: asking for a person, the queue
// frames, bot silence while an agent has the conversation, agent messages in the transcript,
// and back to the bot.
import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cid, createConversation, send, SocketClient, transcript } from "./helpers.ts";
import { agent, agentCall, frames, handedOver, last, openConsole, team } from "./agent-helpers.ts";

describe("handoff to a person", () => {
  it("asking in words queues the conversation, the online agent gets it, and the customer sees who", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana);
    const conv = await createConversation({ team: t, customer: { name: "Lee" } });
    const customer = await SocketClient.open(conv);
    customer.send({ type: "message", text: "I want to talk to a human", clientMessageId: cid("h1") });
    await customer.until((c) => c.frames.some((f) => f.type === "handoff" && f.state === "assigned"));
    expect(last(customer, "handoff")).toEqual({ type: "handoff", state: "assigned", agent: { name: "Ana" } });
    // The bot's reply says a person is coming, before the handoff frame.
    expect(customer.messages().map((m) => m.role)).toEqual(["customer", "assistant"]);
    await desk.until((d) => d.frames.some((f) => f.type === "assigned" && f.conversationId === conv.id));
  });

  it("keeps the bot silent while the agent has the conversation, and delivers agent messages with their name through seq and ?after=", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana);
    const conv = await handedOver(t);
    await desk.until((d) => frames(d, "assigned").length === 1);

    const held = await (await send(conv, "My parcel is late", cid("held1"))).json<{ message: { seq: number }; reply: unknown; handoff: unknown }>();
    expect(held.reply).toBeNull();
    expect(held.handoff).toEqual({ type: "handoff", state: "assigned", agent: { name: "Ana" } });
    // The agent's console sees the customer's message live.
    await desk.until((d) => frames(d, "message").some((f) => (f.message as { seq: number }).seq === held.message.seq));

    desk.send({ type: "message", conversationId: conv.id, text: "Hi, I'm Ana. Let me check.", clientMessageId: cid("a1") });
    await desk.until((d) => frames(d, "ack").length === 1);
    const ack = last(desk, "ack")!;
    expect(ack).toMatchObject({ clientMessageId: cid("a1"), seq: held.message.seq + 1 });
    // A retry is acknowledged with the same seq and stored once.
    desk.send({ type: "message", conversationId: conv.id, text: "Hi, I'm Ana. Let me check.", clientMessageId: cid("a1") });
    await desk.until((d) => frames(d, "ack").length === 2);
    expect(last(desk, "ack")).toEqual({ type: "ack", clientMessageId: cid("a1"), seq: ack.seq, duplicate: true });

    const messages = await transcript(conv);
    expect(messages.map((m) => [m.seq, m.role])).toEqual([
      [1, "customer"],
      [2, "assistant"],
      [3, "customer"],
      [4, "agent"],
    ]);
    expect(messages[3]).toMatchObject({ text: "Hi, I'm Ana. Let me check.", agent: { name: "Ana" } });
    expect(messages[3]).not.toHaveProperty("clientMessageId");

    // A customer reconnecting after seq 2 gets exactly the rest, and where the handoff stands.
    const resumed = await SocketClient.open(conv, { after: 2 });
    await resumed.until((c) => c.messages().length === 2 && c.frames.some((f) => f.type === "handoff"));
    expect(resumed.messages().map((m) => m.seq)).toEqual([3, 4]);
    expect(last(resumed, "handoff")).toMatchObject({ state: "assigned" });
  });

  it("never answers a held message after the conversation restarts", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana);
    const conv = await handedOver(t);
    await send(conv, "still there?", cid("held2"));
    await evictDurableObject(env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id)));
    // Reading wakes it; resume() must leave the held message alone.
    await transcript(conv);
    await new Promise((r) => setTimeout(r, 300));
    expect((await transcript(conv)).map((m) => m.role)).toEqual(["customer", "assistant", "customer"]);
    // A retry of the held message is recognised: same seq, no reply.
    const retry = await (await send(conv, "still there?", cid("held2"))).json<{ duplicate: boolean; reply: unknown; message: { seq: number } }>();
    expect(retry).toMatchObject({ duplicate: true, reply: null, message: { seq: 3 } });
  });

  it("hands the conversation back to the bot, which answers again", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana);
    const conv = await handedOver(t);
    const customer = await SocketClient.open(conv, { after: 1000 });
    expect((await agentCall(ana.token, `/conversations/${conv.id}/release`, { method: "POST" })).status).toBe(200);
    await customer.until((c) => c.frames.some((f) => f.type === "handoff" && f.state === "ended"));
    const turn = await (await send(conv, "How do I reset my password?", cid("back1"))).json<{ reply: { role: string } | null }>();
    expect(turn.reply).toMatchObject({ role: "assistant" });
  });
});
