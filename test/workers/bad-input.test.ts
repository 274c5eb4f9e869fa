// Every bad input gets a clear 4xx with a stable code, and the conversation's stored state
// is exactly what it was before.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationDO } from "../../src/index.ts";
import { call, cid, createConversation, openSocket, send, SocketClient, type Created } from "./helpers.ts";

let conv: Created;
let other: Created;

beforeAll(async () => {
  conv = await createConversation();
  other = await createConversation();
  await send(conv, "a first message", cid("seed"));
});

/** The conversation's rows, read inside the object. */
function state(c: Created) {
  return runInDurableObject(env.CONVERSATION.get(env.CONVERSATION.idFromString(c.id)), (_: ConversationDO, s) => ({
    messages: s.storage.sql.exec("SELECT seq, role, text, client_message_id FROM messages ORDER BY seq").toArray(),
    conversation: s.storage.sql.exec("SELECT status, last_activity_at FROM conversation").toArray(),
  }));
}

const json = { "Content-Type": "application/json" };
const auth = () => ({ Authorization: `Bearer ${conv.token}` });
const messages = () => `/v1/conversations/${conv.id}/messages`;
const post = (body: string, headers: Record<string, string> = {}) =>
  call(messages(), { method: "POST", headers: { ...json, ...auth(), ...headers }, body });

type HttpCase = [name: string, request: () => Promise<Response>, status: number, code: string];

const httpCases: HttpCase[] = [
  ["body is not JSON", () => post("{not json"), 400, "invalid_json"],
  ["body is JSON but not an object", () => post("[1,2]"), 400, "validation_failed"],
  ["an unknown field", () => post(JSON.stringify({ text: "hi", clientMessageId: cid("u1"), extra: 1 })), 400, "unknown_field"],
  ["text missing", () => post(JSON.stringify({ clientMessageId: cid("m1") })), 400, "validation_failed"],
  ["text empty", () => post(JSON.stringify({ text: "", clientMessageId: cid("e1") })), 400, "validation_failed"],
  ["text only whitespace", () => post(JSON.stringify({ text: "   \n ", clientMessageId: cid("w1") })), 400, "validation_failed"],
  ["text over 4,000 characters", () => post(JSON.stringify({ text: "x".repeat(4001), clientMessageId: cid("l1") })), 400, "validation_failed"],
  ["text is a number", () => post(JSON.stringify({ text: 42, clientMessageId: cid("n1") })), 400, "validation_failed"],
  ["clientMessageId missing", () => post(JSON.stringify({ text: "hello" })), 400, "validation_failed"],
  ["clientMessageId too short", () => post(JSON.stringify({ text: "hello", clientMessageId: "abc" })), 400, "validation_failed"],
  ["clientMessageId with bad characters", () => post(JSON.stringify({ text: "hello", clientMessageId: "bad id with spaces" })), 400, "validation_failed"],
  ["body over the size limit", () => post(JSON.stringify({ text: "x".repeat(70_000), clientMessageId: cid("big") })), 413, "payload_too_large"],
  ["wrong content type", () => post("text=hi", { "Content-Type": "application/x-www-form-urlencoded" }), 415, "unsupported_media_type"],
  ["no token", () => call(messages(), { method: "POST", headers: json, body: JSON.stringify({ text: "hi", clientMessageId: cid("t0") }) }), 401, "unauthorized"],
  ["malformed token", () => post(JSON.stringify({ text: "hi", clientMessageId: cid("t1") }), { Authorization: "Bearer nonsense" }), 401, "token_invalid"],
  ["another conversation's token", () => post(JSON.stringify({ text: "hi", clientMessageId: cid("t2") }), { Authorization: `Bearer ${other.token}` }), 403, "forbidden"],
  ["malformed conversation id", () => call("/v1/conversations/not-an-id/messages", { headers: auth() }), 404, "conversation_not_found"],
  ["transcript with a negative after", () => call(`${messages()}?after=-1`, { headers: auth() }), 400, "validation_failed"],
  ["transcript with a limit over 200", () => call(`${messages()}?limit=500`, { headers: auth() }), 400, "validation_failed"],
  ["create with a bad locale", () => call("/v1/conversations", { method: "POST", headers: json, body: JSON.stringify({ locale: "not a locale!" }) }), 400, "validation_failed"],
  ["create with an unknown field", () => call("/v1/conversations", { method: "POST", headers: json, body: JSON.stringify({ admin: true }) }), 400, "unknown_field"],
  ["reuse of a clientMessageId for other text", () => post(JSON.stringify({ text: "different text", clientMessageId: cid("seed") })), 409, "client_message_id_conflict"],
  ["WebSocket endpoint without an upgrade", () => call(`/v1/conversations/${conv.id}/ws`, { headers: auth() }), 426, "upgrade_required"],
  ["WebSocket from a foreign origin", () => openSocket(conv, { headers: { Origin: "https://evil.example" } }), 403, "origin_not_allowed"],
  ["WebSocket without a token", () => call(`/v1/conversations/${conv.id}/ws`, { headers: { Upgrade: "websocket" } }), 401, "unauthorized"],
  ["WebSocket with another conversation's token", () => openSocket({ ...conv, token: other.token }), 403, "forbidden"],
  ["unknown API route", () => call("/v1/nothing-here", { headers: auth() }), 404, "not_found"],
];

describe("bad HTTP input", () => {
  it.each(httpCases)("%s → %i %s, state unchanged", async (_name, request, status, code) => {
    const before = await state(conv);
    const res = await request();
    expect(res.status).toBe(status);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(await state(conv)).toEqual(before);
  });

  it("never echoes customer text in an error", async () => {
    const secret = "my card number is 4111 1111 1111 1111";
    const res = await post(JSON.stringify({ text: secret, clientMessageId: "x", extra: secret }));
    expect(await res.text()).not.toContain("4111");
  });
});

type FrameCase = [name: string, frame: string, code: string];

const frameCases: FrameCase[] = [
  ["not JSON", "{oops", "invalid_json"],
  ["unknown frame type", JSON.stringify({ type: "shout", text: "hi" }), "invalid_frame"],
  ["no type", JSON.stringify({ text: "hi", clientMessageId: cid("f1") }), "invalid_frame"],
  ["empty text", JSON.stringify({ type: "message", text: "", clientMessageId: cid("f2") }), "invalid_frame"],
  ["text over 4,000 characters", JSON.stringify({ type: "message", text: "y".repeat(4001), clientMessageId: cid("f3") }), "invalid_frame"],
  ["bad clientMessageId", JSON.stringify({ type: "message", text: "hi", clientMessageId: "!" }), "invalid_frame"],
  ["unknown field", JSON.stringify({ type: "message", text: "hi", clientMessageId: cid("f4"), admin: true }), "unknown_field"],
  ["a JSON string", JSON.stringify("message"), "invalid_frame"],
];

describe("bad WebSocket frames", () => {
  it.each(frameCases)("%s → error frame %s, socket open, state unchanged", async (_name, frame, code) => {
    const before = await state(conv);
    const client = await SocketClient.open(conv, { after: 1_000_000 });
    client.send(frame);
    await client.until((c) => c.frames.some((f) => f.type === "error"));
    expect(client.frames.find((f) => f.type === "error")).toMatchObject({ code });
    // The socket is still usable: the heartbeat answers.
    client.send('{"type":"ping"}');
    await client.until((c) => c.frames.some((f) => f.type === "pong"));
    expect(client.closed).toBeNull();
    expect(await state(conv)).toEqual(before);
    client.ws.close();
  });

  it("closes the socket with 1009 on an oversized frame and stores nothing", async () => {
    const before = await state(conv);
    const client = await SocketClient.open(conv, { after: 1_000_000 });
    client.send(JSON.stringify({ type: "message", text: "z".repeat(40_000), clientMessageId: cid("huge") }));
    await client.until((c) => c.closed !== null);
    expect(client.closed?.code).toBe(1009);
    expect(await state(conv)).toEqual(before);
  });

  it("refuses a WebSocket to a closed conversation with 409", async () => {
    const closing = await createConversation();
    await call(`/v1/conversations/${closing.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${closing.token}` } });
    const res = await openSocket(closing);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "conversation_closed" } });
  });
});
