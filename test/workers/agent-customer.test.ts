// The customer's side of the desk: asking for a person explicitly or by accepting an offer,
// leaving a message when nobody can take the conversation, rating and feedback, and their
// validation with stable codes.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ConversationDO } from "../../src/index.ts";
import { call, cid, createConversation, send, SocketClient, transcript, type Created } from "./helpers.ts";
import { agent, agentCall, frames, last, openConsole, queueOf, runTimersIn, team } from "./agent-helpers.ts";

function post(conv: Created, path: string, body: unknown): Promise<Response> {
  return call(`/v1/conversations/${conv.id}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify(body) });
}

describe("asking for a person", () => {
  it("over HTTP and over the WebSocket, without a bot reply", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 2 });
    const byHttp = await createConversation({ team: t });
    const res = await post(byHttp, "/handoff", {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: "handoff", state: "assigned", agent: { name: "Ana" } });
    const bySocket = await createConversation({ team: t });
    const socket = await SocketClient.open(bySocket);
    socket.send({ type: "handoff" });
    await socket.until((c) => c.frames.some((f) => f.type === "handoff"));
    expect(last(socket, "handoff")).toMatchObject({ state: "assigned" });
    expect(await transcript(bySocket)).toEqual([]);
    expect((await queueOf(ana)).items.map((i) => i.conversationId).sort()).toEqual([byHttp.id, bySocket.id].sort());
  });

  it("streams the handoff as an SSE event after the bot's reply when asked in words", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await createConversation({ team: t });
    const res = await call(`/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: `Bearer ${conv.token}` },
      body: JSON.stringify({ text: "转人工", clientMessageId: cid("sse-h") }),
    });
    const events = (await res.text()).split("\n\n").filter(Boolean).map((block) => ({ event: /^event: (.+)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? "null") }));
    expect(events.map((e) => e.event)).toEqual(["message", "done", "handoff"]);
    expect(events[2]!.data).toEqual({ type: "handoff", state: "assigned", agent: { name: "Ana" } });
  });

  it("accepting the bot's offer keeps the offer's reason", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await createConversation({ team: t });
    // Two questions the KB cannot answer: the bot offers a person.
    await send(conv, "Can you recommend a good restaurant nearby?", cid("f1"));
    const offer = await (await send(conv, "What is the airspeed of a swallow?", cid("f2"))).json<{ reply: { meta: { decision: string; handoff?: { reason: string } } } }>();
    expect(offer.reply.meta).toMatchObject({ decision: "offer_handoff", handoff: { reason: "repeated_failures" } });
    expect((await post(conv, "/handoff", {})).status).toBe(200);
    const items = (await queueOf(ana)).items as unknown as Array<{ reason: string }>;
    expect(items[0]!.reason).toBe("repeated_failures");
  });

  it.each([
    ["an unknown reason", { reason: "bored" }, 400, "validation_failed"],
    ["an extra field", { why: "x" }, 400, "unknown_field"],
  ])("refuses %s", async (_name, body, status, code) => {
    const conv = await createConversation();
    const res = await post(conv, "/handoff", body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("refuses a team that is not a desk name when the conversation is created", async () => {
    const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ team: "../billing" }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "validation_failed", details: [{ path: "team" }] } });
  });
});

describe("when nobody can take the conversation", () => {
  /** A new conversation of team `t` whose customer asks for a person: told nobody is online and offered a message, with their place in the queue. */
  async function askWithNobodyOnline(t: string) {
    const conv = await createConversation({ team: t });
    const socket = await SocketClient.open(conv);
    socket.send({ type: "handoff" });
    await socket.until((c) => c.frames.some((f) => f.type === "handoff"));
    expect(last(socket, "handoff")).toEqual({ type: "handoff", state: "offline", reason: "no_agents", position: 1 });
    return { conv, socket };
  }

  it("offers to leave a message, the bot keeps answering, and the message becomes a ticket", async () => {
    const t = team();
    const { conv } = await askWithNobodyOnline(t);
    const turn = await (await send(conv, "How do I reset my password?", cid("o1"))).json<{ reply: { role: string } }>();
    expect(turn.reply.role).toBe("assistant");
    const left = await post(conv, "/offline-message", { email: "lee@example.com", text: "Please call me about order 1234\nIt is urgent.", clientMessageId: cid("o2") });
    expect(left.status).toBe(200);
    const body = await left.json<{ message: { seq: number; role: string }; duplicate: boolean }>();
    expect(body).toMatchObject({ message: { role: "customer" }, duplicate: false });
    const again = await post(conv, "/offline-message", { email: "lee@example.com", text: "Please call me about order 1234\nIt is urgent.", clientMessageId: cid("o2") });
    expect(await again.json()).toMatchObject({ message: { seq: body.message.seq }, duplicate: true });
    // The desk's ticket only names the conversation; the address and the message stay in it.
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana);
    await desk.until((d) => frames(d, "tickets").length === 1);
    const tickets = last(desk, "tickets")?.tickets as Array<Record<string, unknown>>;
    expect(tickets).toEqual([{ ticketId: expect.any(String), conversationId: conv.id, language: "en", createdAt: expect.any(Number) }]);
    const view = await (await agentCall(ana.token, `/conversations/${conv.id}`)).json<{ conversation: { ticket: unknown } }>();
    expect(view.conversation.ticket).toEqual({ email: "lee@example.com", seq: body.message.seq, subject: "Please call me about order 1234", at: expect.any(Number) });
    expect((await transcript(conv)).filter((m) => m.text.includes("urgent"))).toHaveLength(1);
    // The left message is for the team: the bot does not answer it.
    expect((await transcript(conv)).at(-1)).toMatchObject({ seq: body.message.seq, role: "customer" });
    // Dealt with: the ticket leaves the desk's list (REST mirror of the console's close_ticket).
    const ticketId = tickets[0]!.ticketId as string;
    expect((await agentCall(ana.token, `/tickets/no-such-ticket/close`, { method: "POST" })).status).toBe(404);
    const closed = await agentCall(ana.token, `/tickets/${ticketId}/close`, { method: "POST" });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toEqual({ ticketId, ok: true });
    await desk.until((d) => (last(d, "tickets")?.tickets as unknown[]).length === 0);
    expect((await queueOf(ana)).tickets).toEqual([]);
    const again2 = await agentCall(ana.token, `/tickets/${ticketId}/close`, { method: "POST" });
    expect(await again2.json()).toMatchObject({ error: { code: "ticket_not_found" } });
    expect((await transcript(conv)).filter((m) => m.text.includes("urgent"))).toHaveLength(1);
  });

  it("keeps a customer who asked while no agent was online in the queue, and gives them to the first agent who comes online", async () => {
    const t = team();
    const { conv, socket } = await askWithNobodyOnline(t);
    const ana = await agent("Ana", t);
    const console = await openConsole(ana, { status: "online", capacity: 2 });
    await console.until((d) => frames(d, "assigned").some((f) => f.conversationId === conv.id));
    expect((await queueOf(ana)).items).toMatchObject([{ conversationId: conv.id, status: "assigned", agent: { agentId: ana.id } }]);
    await socket.until((c) => last(c, "handoff")?.state === "assigned");
    expect(last(socket, "handoff")).toEqual({ type: "handoff", state: "assigned", agent: { name: "Ana" } });
  });

  it("does not keep a customer who left a message or closed the chat for the agent who comes online", async () => {
    const t = team();
    const left = await createConversation({ team: t });
    await post(left, "/handoff", {});
    expect((await post(left, "/offline-message", { email: "lee@example.com", text: "Call me", clientMessageId: cid("k1") })).status).toBe(200);
    const closed = await createConversation({ team: t });
    await post(closed, "/handoff", {});
    expect((await call(`/v1/conversations/${closed.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${closed.token}` } })).status).toBe(200);
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 2 });
    const queue = await queueOf(ana);
    expect(queue.items).toEqual([]);
    expect(queue.tickets.map((k) => k.conversationId)).toEqual([left.id]);
  });

  it("offers a message after waiting HANDOFF_MAX_WAIT_SECONDS, keeping the customer's place", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const first = await createConversation({ team: t });
    await post(first, "/handoff", {});
    await desk.until((d) => frames(d, "assigned").length === 1);
    desk.send({ type: "message", conversationId: first.id, text: "On it", clientMessageId: cid("m1") });
    await desk.until((d) => frames(d, "ack").length === 1);
    const waiting = await createConversation({ team: t });
    const socket = await SocketClient.open(waiting);
    socket.send({ type: "handoff" });
    await socket.until((c) => c.frames.some((f) => f.type === "handoff"));
    expect(last(socket, "handoff")).toMatchObject({ state: "queued", position: 1 });
    await runTimersIn(t, 11 * 60_000);
    await socket.until((c) => last(c, "handoff")?.state === "offline");
    expect(last(socket, "handoff")).toMatchObject({ state: "offline", reason: "max_wait", position: 1 });
  });

  it.each([
    ["a bad email", { email: "not-an-email", text: "hi", clientMessageId: "offline-001" }, 400, "validation_failed"],
    ["blank text", { email: "a@example.com", text: "  ", clientMessageId: "offline-002" }, 400, "validation_failed"],
  ])("refuses %s", async (_name, body, status, code) => {
    const conv = await createConversation();
    const res = await post(conv, "/offline-message", body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("refuses a message before a person was asked for, and while an agent has the conversation", async () => {
    const t = team();
    const conv = await createConversation({ team: t });
    const early = await post(conv, "/offline-message", { email: "a@example.com", text: "hi", clientMessageId: "offline-003" });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: { code: "handoff_not_requested" } });
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    await post(conv, "/handoff", {});
    const during = await post(conv, "/offline-message", { email: "a@example.com", text: "hi", clientMessageId: "offline-004" });
    expect(await during.json()).toMatchObject({ error: { code: "conversation_assigned" } });
  });
});

describe("ratings and feedback", () => {
  it("stores a rating (the latest wins), over HTTP and the WebSocket", async () => {
    const conv = await createConversation();
    expect(await (await post(conv, "/rating", { score: 2 })).json()).toMatchObject({ score: 2 });
    const socket = await SocketClient.open(conv);
    socket.send({ type: "rating", score: 4, comment: "Quick and friendly" });
    await socket.until((c) => c.frames.some((f) => f.type === "rated"));
    expect(last(socket, "rated")).toEqual({ type: "rated", score: 4 });
  });

  it.each([
    ["a score of 0", { score: 0 }],
    ["a score of 6", { score: 6 }],
    ["a fractional score", { score: 4.5 }],
    ["a score as text", { score: "5" }],
    ["no score", { comment: "nice" }],
    ["a comment over 1,000 characters", { score: 3, comment: "x".repeat(1001) }],
  ])("refuses a rating with %s", async (_name, body) => {
    const conv = await createConversation();
    const res = await post(conv, "/rating", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "validation_failed" } });
  });

  it("refuses a bad rating frame with an error frame", async () => {
    const conv = await createConversation();
    const socket = await SocketClient.open(conv);
    socket.send({ type: "rating", score: 9 });
    await socket.until((c) => c.frames.some((f) => f.type === "error"));
    expect(last(socket, "error")).toMatchObject({ code: "invalid_frame" });
  });

  it("takes feedback on the bot's answers only", async () => {
    const conv = await createConversation();
    await send(conv, "How do I reset my password?", cid("fb1"));
    const feedback = (seq: number | string, body: unknown) => post(conv, `/messages/${seq}/feedback`, body);
    expect(await (await feedback(2, { helpful: true })).json()).toEqual({ seq: 2, helpful: true });
    expect(await (await feedback(2, { helpful: false })).json()).toEqual({ seq: 2, helpful: false });
    const onCustomer = await feedback(1, { helpful: true });
    expect(onCustomer.status).toBe(409);
    expect(await onCustomer.json()).toMatchObject({ error: { code: "feedback_not_allowed" } });
    const missing = await feedback(99, { helpful: true });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "message_not_found" } });
    expect((await feedback(2, { helpful: "yes" })).status).toBe(400);
    expect((await feedback("two", { helpful: true })).status).toBe(400);
  });

  it("tells ops of a feedback mark only when it is new or changed, never of a repeat", async () => {
    const conv = await createConversation();
    await send(conv, "How do I reset my password?", cid("fb2"));
    const marks: boolean[] = [];
    await runInDurableObject(env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id)), (instance: ConversationDO) => {
      const ops = instance.observer;
      instance.observer = { ...ops, feedback: (e) => (marks.push(e.helpful), ops.feedback?.(e)) };
    });
    for (const helpful of [false, false, false, true, true, false]) expect(await (await post(conv, "/messages/2/feedback", { helpful })).json()).toEqual({ seq: 2, helpful });
    expect(marks).toEqual([false, true, false]);
  });
});

