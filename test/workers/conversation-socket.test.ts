import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ConversationDO } from "../../src/index.ts";
import { call, cid, createConversation, send, setFaults, SocketClient, transcript, type Created } from "./helpers.ts";

const stubOf = (conv: Created) => env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id));

describe("conversation over WebSocket", () => {
  it("acks a message and pushes the stored message and the reply together when the answer is quick", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    client.send({ type: "message", text: "Hello there", clientMessageId: cid("ws1") });
    await client.until((c) => c.messages().length === 2);
    const types = client.frames.map((f) => f.type);
    expect(types).toEqual(["ack", "message", "message"]);
    expect(client.frames[0]).toEqual({ type: "ack", clientMessageId: cid("ws1"), seq: 1 });
    expect(client.messages()[1]).toMatchObject({ seq: 2, role: "assistant", replyTo: 1 });
    client.ws.close();
  });

  it("acks a message first, shows typing, then the reply when the answer is slower than the grace period (latency fault)", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    await setFaults("latency=700");
    try {
      client.send({ type: "message", text: "How long does a refund take?", clientMessageId: cid("slow1") });
      await client.until((c) => c.messages().length === 2);
    } finally {
      await setFaults();
    }
    expect(client.frames.map((f) => f.type)).toEqual(["ack", "message", "typing", "message"]);
    expect(await transcript(conv)).toHaveLength(2);
    client.ws.close();
  });

  it("pushes every message to all sockets of the conversation", async () => {
    const conv = await createConversation();
    const tab1 = await SocketClient.open(conv);
    const tab2 = await SocketClient.open(conv);
    tab1.send({ type: "message", text: "from tab one", clientMessageId: cid("tab1") });
    await tab2.until((c) => c.messages().length === 2);
    expect(tab2.messages().map((m) => m.seq)).toEqual([1, 2]);
    expect(tab2.frames.some((f) => f.type === "ack")).toBe(false);
  });

  it("answers the heartbeat without waking the conversation", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    client.send('{"type":"ping"}');
    await client.until((c) => c.frames.some((f) => f.type === "pong"));
    expect(await transcript(conv)).toHaveLength(0);
  });

  it("sends a reconnecting client exactly the messages after its last seq", async () => {
    const conv = await createConversation();
    const first = await SocketClient.open(conv);
    first.send({ type: "message", text: "one", clientMessageId: cid("r1") });
    await first.until((c) => c.messages().length === 2);
    first.ws.close();
    // While disconnected, two more turns happen over HTTP.
    await send(conv, "two", cid("r2"));
    await send(conv, "three", cid("r3"));
    const resumed = await SocketClient.open(conv, { after: 2 });
    await resumed.until((c) => c.messages().length === 4);
    resumed.send({ type: "message", text: "four", clientMessageId: cid("r4") });
    await resumed.until((c) => c.messages().length === 6);
    expect(resumed.messages().map((m) => m.seq)).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it("keeps the transcript intact when the object is evicted", async () => {
    const conv = await createConversation();
    await send(conv, "before eviction", cid("ev1"));
    await evictDurableObject(stubOf(conv));
    await send(conv, "after eviction", cid("ev2"));
    const messages = await transcript(conv);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(messages[2]).toMatchObject({ text: "after eviction" });
    // The retry of a message sent before the eviction is still recognised.
    const retry = await (await send(conv, "before eviction", cid("ev1"))).json<{ duplicate: boolean }>();
    expect(retry.duplicate).toBe(true);
  });

  it("keeps working after hibernation: the socket survives and a message still gets its reply", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    client.send({ type: "message", text: "before sleep", clientMessageId: cid("h1") });
    await client.until((c) => c.messages().length === 2);
    await evictDurableObject(stubOf(conv), { webSockets: "hibernate" });
    client.send({ type: "message", text: "after sleep", clientMessageId: cid("h2") });
    await client.until((c) => c.messages().length === 4);
    expect(client.frames.filter((f) => f.type === "ack").map((f) => f.seq)).toEqual([1, 3]);
    expect(client.closed).toBeNull();
  });

  it("closes an idle conversation when its alarm fires", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    const stub = stubOf(conv);
    // Make the conversation look idle for longer than the configured 60 seconds.
    await runInDurableObject(stub, (_instance: ConversationDO, state) => {
      state.storage.sql.exec("UPDATE conversation SET last_activity_at = ?", Date.now() - 61_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await client.until((c) => c.closed !== null);
    expect(client.closed).toEqual({ code: 1000, reason: "idle_timeout" });
    expect(client.frames.at(-1)).toEqual({ type: "closed", reason: "idle_timeout" });
    const res = await send(conv, "still there?", cid("idle"));
    expect(res.status).toBe(409);
  });

  it("does not close a conversation whose alarm fires while it is still active", async () => {
    const conv = await createConversation();
    await send(conv, "recent activity", cid("active"));
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    expect((await send(conv, "still open", cid("active2"))).status).toBe(200);
  });

  it("closes sockets with a reason when the customer ends the conversation", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    await call(`/v1/conversations/${conv.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${conv.token}` } });
    await client.until((c) => c.closed !== null);
    expect(client.closed).toEqual({ code: 1000, reason: "closed_by_customer" });
  });

  it("authenticates browsers through the subprotocol and echoes only the fixed protocol", async () => {
    const conv = await createConversation();
    const res = await call(`/v1/conversations/${conv.id}/ws`, {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `holdfast.v1, holdfast.auth.${conv.token}`, Origin: "https://shop.example" },
    });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("holdfast.v1");
    res.webSocket?.accept();
    res.webSocket?.close();
  });
});
