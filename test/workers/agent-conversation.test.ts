// What an agent does in a conversation: read it with the bot's sources and suggestions,
// private notes, canned replies, typing both ways, transfers, closing with a resolution.
import { describe, expect, it } from "vitest";
import { call, cid, createConversation, send, SocketClient, transcript } from "./helpers.ts";
import { agent, agentCall, frames, handedOver, last, openConsole, queueOf, team } from "./agent-helpers.ts";

describe("an agent in a conversation", () => {
  it("reads the transcript with the bot's citations, and gets the bot's suggestions for a question it did not answer", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await createConversation({ team: t, customer: { name: "Lee" } });
    await send(conv, "How do I reset my password?", cid("q1"));
    await send(conv, "I want to talk to a human", cid("q2"));
    await desk.until((d) => frames(d, "assigned").length === 1);
    await send(conv, "How long does a refund take?", cid("q3"));
    await desk.until((d) => frames(d, "assist").length === 1);
    expect(last(desk, "assist")).toMatchObject({ conversationId: conv.id, seq: 5, articles: expect.arrayContaining([expect.objectContaining({ title: expect.any(String), answer: expect.any(String) })]) });
    const view = await (await agentCall(ana.token, `/conversations/${conv.id}`)).json<{
      conversation: { customer: { name: string }; team: string; handoff: { state: string } };
      messages: Array<{ role: string; meta?: { citations?: unknown[] } }>;
      assist: { seq: number; articles: Array<{ title: string }> };
    }>();
    expect(view.conversation).toMatchObject({ customer: { name: "Lee" }, team: t, handoff: { state: "assigned" } });
    expect(view.messages.map((m) => m.role)).toEqual(["customer", "assistant", "customer", "assistant", "customer"]);
    expect(view.messages[1]!.meta?.citations?.length).toBeGreaterThan(0);
    expect(view.assist.seq).toBe(5);
    expect(view.assist.articles.map((a) => a.title).join(" ")).toMatch(/refund/i);
  });

  it("keeps private notes from the customer's sockets, transcript and stream, and shows them to agents", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    const customer = await SocketClient.open(conv);
    await customer.until((c) => c.messages().length === 2);
    desk.send({ type: "note", conversationId: conv.id, text: "VIP customer, refund approved by finance", clientMessageId: cid("n1") });
    await desk.until((d) => frames(d, "ack").length === 1 && frames(d, "note").length === 1);
    expect(last(desk, "ack")).toMatchObject({ clientMessageId: cid("n1"), seq: 2, noteId: expect.any(Number) });
    const rest = await agentCall(ana.token, `/conversations/${conv.id}/notes`, { method: "POST", body: { text: "Second note", clientMessageId: cid("n2") } });
    expect(await rest.json()).toMatchObject({ note: { text: "Second note", agent: { name: "Ana" } }, duplicate: false });
    // A customer turn streamed over SSE while notes exist.
    const sse = await call(`/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: `Bearer ${conv.token}` },
      body: JSON.stringify({ text: "any news?", clientMessageId: cid("sse1") }),
    });
    const stream = await sse.text();
    await customer.until((c) => c.messages().length === 3);
    const everything = JSON.stringify(customer.frames) + JSON.stringify(await transcript(conv)) + stream;
    expect(everything).not.toContain("refund approved");
    expect(everything).not.toContain("Second note");
    const view = await (await agentCall(ana.token, `/conversations/${conv.id}`)).json<{ notes: Array<{ text: string; afterSeq: number }> }>();
    expect(view.notes.map((n) => [n.text, n.afterSeq])).toEqual([
      ["VIP customer, refund approved by finance", 2],
      ["Second note", 2],
    ]);
    // The held turn streams its message and where the handoff stands, and no reply.
    expect(stream).toContain("event: message");
    expect(stream).toContain("event: handoff");
    expect(stream).not.toContain("event: done");
  });

  it("inserts canned responses with the conversation's variables", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    expect(last(desk, "canned")?.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: "greeting" })]));
    const named = await handedOver(t, { name: "Lee" });
    await desk.until((d) => frames(d, "assigned").length === 1);
    desk.send({ type: "canned", conversationId: named.id, cannedId: "greeting", clientMessageId: cid("c1") });
    await desk.until((d) => frames(d, "ack").length === 1);
    expect((await transcript(named)).at(-1)).toMatchObject({ role: "agent", text: "Hi Lee, I'm Ana from the support team. I'll take it from here." });
    desk.send({ type: "canned", conversationId: named.id, cannedId: "no-such-reply", clientMessageId: cid("c2") });
    await desk.until((d) => frames(d, "error").length === 1);
    expect(last(desk, "error")).toMatchObject({ code: "not_found", clientMessageId: cid("c2") });
  });

  it("shows typing both ways while the agent has the conversation", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    await desk.until((d) => frames(d, "assigned").length === 1);
    const customer = await SocketClient.open(conv, { after: 1000 });
    desk.send({ type: "typing", conversationId: conv.id });
    await customer.until((c) => c.frames.some((f) => f.type === "typing"));
    expect(last(customer, "typing")).toEqual({ type: "typing", agent: { name: "Ana" } });
    customer.send({ type: "typing" });
    await desk.until((d) => frames(d, "typing").length === 1);
    expect(last(desk, "typing")).toEqual({ type: "typing", conversationId: conv.id });
  });

  it("transfers to a colleague, or to another team's queue (whose agents can then read it)", async () => {
    const t = team();
    const billing = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    const bo = await agent("Bo", billing);
    const anaDesk = await openConsole(ana, { status: "online", capacity: 1 });
    const benDesk = await openConsole(ben, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    const holder = (await queueOf(ana)).items[0]!.agent!.agentId;
    const [from, to, toDesk] = holder === ana.id ? [ana, ben, benDesk] : [ben, ana, anaDesk];
    const customer = await SocketClient.open(conv, { after: 1000 });
    expect((await agentCall(from.token, `/conversations/${conv.id}/transfer`, { method: "POST", body: { to: { agentId: to.id } } })).status).toBe(200);
    await toDesk.until((d) => frames(d, "assigned").some((f) => f.conversationId === conv.id));
    await customer.until((c) => c.frames.some((f) => f.type === "handoff" && (f.agent as { name?: string } | undefined)?.name === to.name));
    const boDesk = await openConsole(bo, { status: "online", capacity: 1 });
    expect((await agentCall(to.token, `/conversations/${conv.id}/transfer`, { method: "POST", body: { to: { team: billing } } })).status).toBe(200);
    await boDesk.until((d) => frames(d, "assigned").some((f) => f.conversationId === conv.id));
    expect((await agentCall(bo.token, `/conversations/${conv.id}`)).status).toBe(200);
    expect((await agentCall(to.token, `/conversations/${conv.id}`)).status).toBe(403);
    await customer.until((c) => c.frames.some((f) => f.type === "handoff" && (f.agent as { name?: string } | undefined)?.name === "Bo"));
  });

  it("closes with a resolution: the customer is told, the conversation ends, and it can still be rated", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    const customer = await SocketClient.open(conv, { after: 1000 });
    expect((await agentCall(ana.token, `/conversations/${conv.id}/close`, { method: "POST", body: { resolution: "resolved" } })).status).toBe(200);
    await customer.until((c) => c.closed !== null);
    expect(customer.frames.filter((f) => f.type !== "handoff" || f.state === "ended").map((f) => f.type)).toEqual(["handoff", "closed"]);
    expect(last(customer, "closed")).toEqual({ type: "closed", reason: "closed_by_agent" });
    const later = await send(conv, "one more thing", cid("late"));
    expect(later.status).toBe(409);
    const rated = await call(`/v1/conversations/${conv.id}/rating`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify({ score: 5, comment: "Ana was great" }) });
    expect(rated.status).toBe(200);
    expect((await queueOf(ana)).items).toEqual([]);
  });
});
