// Abuse limits on the conversation WebSocket: sends count against the client's per-IP
// limit, a few sockets per conversation, one page of history per connect, a socket that
// keeps sending invalid frames is closed, every other frame kind is limited like messages,
// and a flood of ratings counts once in CSAT.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ConversationStore } from "../../durable-objects/conversation-store.ts";
import type { ConversationDO } from "../../src/index.ts";
import { ipLimitKey } from "../../src/http/middleware/rate-limit.ts";
import { limiterFor } from "../../src/platform/limiter.ts";
import { readConfig } from "../../src/config.ts";
import type { KpiSummary } from "../../src/ops/kpi.ts";
import { call, cid, createConversation, openSocket, send, SocketClient, type Created } from "./helpers.ts";
import { conversationIn, eventually, opsJson } from "./ops-helpers.ts";

const stubOf = (conv: Created) => env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id));

// First in the file: ops events leave in batches, sent on a timer of whichever object queued
// the first of them (src/ops/event-batch.ts); an object reset when an earlier test ended takes
// its timer with it, and the batch then waits for the next event, which these tests do not make.
describe("CSAT under a flood of ratings", () => {
  const csatOf = async (region: string) => (await opsJson<KpiSummary>(`/v1/ops/summary?region=${region}&window=1h`)).overall.csat;

  it("counts one conversation's rating once: 400 rating frames on one socket add one rating to the ops summary", async () => {
    const before = await csatOf("afr");
    const conv = await conversationIn("afr");
    const client = await SocketClient.open(conv);
    for (let i = 0; i < 400; i++) client.send({ type: "rating", score: 3 });
    await client.until((c) => c.frames.filter((f) => f.type === "rated" || f.type === "error").length === 400, 20_000);
    const after = await eventually(() => csatOf("afr"), (c) => c.count > before.count);
    expect(after.count).toBe(before.count + 1);
    expect(after.distribution["3"]).toBe(before.distribution["3"] + 1);
  });

  it("replaces a conversation's rating in the tallies: rated 2, then 5, it counts as one 5", async () => {
    const before = await csatOf("afr");
    const conv = await conversationIn("afr");
    const rate = (score: number) => call(`/v1/conversations/${conv.id}/rating`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify({ score }) });
    expect((await rate(2)).status).toBe(200);
    expect((await rate(5)).status).toBe(200);
    const after = await eventually(() => csatOf("afr"), (c) => c.distribution["5"] > before.distribution["5"]);
    expect(after.count).toBe(before.count + 1);
    expect(after.distribution["2"]).toBe(before.distribution["2"]);
    expect(after.distribution["5"]).toBe(before.distribution["5"] + 1);
  });
});

describe("WebSocket abuse limits", () => {
  it.each([
    ["an IPv4 address", "203.0.113.77", "203.0.113.77"],
    ["an IPv6 address, when another address of its /64 spent the budget", "2001:db8:5:6:1:2:3:4", "2001:db8:5:6::1"],
  ])("counts WebSocket sends against the client's per-IP limit (%s): once the limiter has heard of them, an exhausted IP gets rate_limited and nothing more is stored", async (_name, ip, spender) => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv, { headers: { "CF-Connecting-IP": ip } });
    // Spend the IP's whole budget at the region's limiter (a hit far in the future leaves
    // no allowance now), as a flood of requests from that address would.
    const key = await ipLimitKey(env.CLIENT_KEY_SECRET, spender);
    await limiterFor(env, "weur", key, 4).hit(key, { limit: 100_000, periodMs: 60_000 }, Date.now() + 120_000);
    // Sends are reported to the limiter in batches (every 250 ms): the first one goes through…
    client.send({ type: "message", text: "hello", clientMessageId: cid("ipws1") });
    await client.until((c) => c.messages().length === 2);
    await new Promise((r) => setTimeout(r, 400));
    // … and once its report came back over the limit, the next is refused.
    client.send({ type: "message", text: "hello again", clientMessageId: cid("ipws2") });
    await client.until((c) => c.frames.some((f) => f.type === "error"));
    expect(client.frames.find((f) => f.type === "error")).toMatchObject({ code: "rate_limited", clientMessageId: cid("ipws2"), retryAfter: expect.any(Number) });
    const stored = await runInDurableObject(stubOf(conv), (_i: ConversationDO, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n);
    expect(stored).toBe(2);
  });

  it("refuses a sixth customer socket on one conversation with 429 too_many_sockets", async () => {
    const conv = await createConversation();
    const open = [];
    for (let i = 0; i < 5; i++) open.push(await SocketClient.open(conv));
    const res = await openSocket(conv);
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: { code: "too_many_sockets" } });
    open[0]!.ws.close();
    await new Promise((r) => setTimeout(r, 50));
    const again = await SocketClient.open(conv);
    again.ws.close();
  });

  it("replays one page of history on connect and says where the rest starts", async () => {
    const conv = await createConversation();
    // 110 turns = 220 messages, more than one page of 200 (written straight to the store:
    // the conversation's own send limit would stop 110 sends in a minute).
    await runInDurableObject(stubOf(conv), async (instance: ConversationDO) => {
      const store = (instance as unknown as { store: ConversationStore }).store;
      for (let i = 0; i < 110; i++) {
        const at = new Date().toISOString();
        const seq = store.nextSeq();
        const message = { seq, role: "customer" as const, text: `hello ${i}`, createdAt: at, clientMessageId: cid(`page${i}`) };
        await store.saveReply({ seq: seq + 1, role: "assistant", text: "hi", createdAt: at, replyTo: seq }, undefined, message);
      }
    });
    const client = await SocketClient.open(conv, { after: 0 });
    await client.until((c) => c.frames.some((f) => f.type === "more"));
    expect(client.messages()).toHaveLength(200);
    expect(client.frames.at(-1)).toEqual({ type: "more", after: 200 });
    expect(client.messages().map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it("closes a socket that keeps sending invalid frames with 1008, answering each before that", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    for (let i = 0; i < 10; i++) client.send(i % 2 ? "not json" : new Uint8Array([1, 2, 3]).buffer as unknown as string);
    await client.until((c) => c.closed !== null);
    expect(client.closed).toMatchObject({ code: 1008 });
    expect(client.frames.filter((f) => f.type === "error").map((f) => f.code)).toEqual(["invalid_frame", "invalid_json", "invalid_frame", "invalid_json", "invalid_frame", "invalid_json", "invalid_frame", "invalid_json", "invalid_frame"]);
    expect((await send(conv, "still works over HTTP", cid("flood1"))).status).toBe(200);
  });
});

describe("floods of other frames", () => {
  const { limit } = readConfig(env).limits.conversationFrames;
  const flood = 3 * limit;
  const errors = (c: SocketClient) => c.frames.filter((f) => f.type === "error");
  const limited = (c: SocketClient) => errors(c).filter((f) => f.code === "rate_limited");

  it.each([
    ["rating", () => ({ type: "rating", score: 4 })],
    ["handoff", () => ({ type: "handoff" })],
    ["typing", () => ({ type: "typing" })],
  ])("limits %s frames like messages: past the conversation's limit each gets an error frame rate_limited with retryAfter", async (_kind, frame) => {
    const conv = await createConversation({ team: `flood-${crypto.randomUUID().slice(0, 8)}` });
    const client = await SocketClient.open(conv);
    for (let i = 0; i < flood; i++) client.send(frame());
    await client.until((c) => limited(c).length > 0);
    expect(limited(client)[0]).toMatchObject({ code: "rate_limited", retryAfter: expect.any(Number) });
    // The socket stays open and still answers.
    client.send('{"type":"ping"}');
    await client.until((c) => c.frames.some((f) => f.type === "pong"));
    expect(client.closed).toBeNull();
  });

  it("does not let handoff frames rewrite the team desk's state more often than the limit allows", async () => {
    const team = `flood-${crypto.randomUUID().slice(0, 8)}`;
    const conv = await createConversation({ team });
    const client = await SocketClient.open(conv);
    for (let i = 0; i < flood; i++) client.send({ type: "handoff" });
    await client.until((c) => limited(c).length >= flood - limit - 1);
    const desk = env.AGENT_DESK.get(env.AGENT_DESK.idFromName(team));
    const revision = await runInDurableObject(desk, (_i, state) => state.storage.sql.exec<{ revision: number }>("SELECT revision FROM desk").one().revision);
    expect(revision).toBeLessThanOrEqual(limit + 1);
  });

  it("limits offline_message frames: each one past the limit is refused rate_limited, and the transcript keeps one left message", async () => {
    const conv = await createConversation({ team: `flood-${crypto.randomUUID().slice(0, 8)}` });
    const client = await SocketClient.open(conv);
    client.send({ type: "handoff" });
    await client.until((c) => c.frames.some((f) => f.type === "handoff" && f.state === "offline"));
    for (let i = 0; i < flood; i++) client.send({ type: "offline_message", email: "lee@example.com", text: `call me ${i}`, clientMessageId: cid(`offl${i}`) });
    await client.until((c) => limited(c).length > 0);
    expect(limited(client)[0]).toMatchObject({ code: "rate_limited", clientMessageId: expect.any(String), retryAfter: expect.any(Number) });
    const stored = await runInDurableObject(stubOf(conv), (_i: ConversationDO, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n);
    expect(stored).toBe(1);
  });
});
