// Every bad input gets a clear 4xx with a stable code, and the conversation's stored state
// is exactly what it was before.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import type { DeskConfig } from "../../src/desk/model.ts";
import type { AgentDeskDO, ConversationDO } from "../../src/index.ts";
import { otherSpelling } from "../support/token-spelling.ts";
import { ADMIN_KEY, call, cid, createConversation, openSocket, send, SocketClient, transcript, type Created } from "./helpers.ts";

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
  // Only the exact text that was issued verifies: not `v1.0179…` for `v1.179…`, nor another spelling of the signature's bytes.
  ["the token's expiry with a leading zero", () => post(JSON.stringify({ text: "hi", clientMessageId: cid("t3") }), { Authorization: `Bearer ${conv.token.replace(/^v1\./, "v1.0")}` }), 401, "token_invalid"],
  ["the token's signature spelled otherwise", () => post(JSON.stringify({ text: "hi", clientMessageId: cid("t4") }), { Authorization: `Bearer ${otherSpelling(conv.token)}` }), 401, "token_invalid"],
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
  ["WebSocket with the token's expiry written with a leading zero", () => openSocket({ ...conv, token: conv.token.replace(/^v1\./, "v1.0") }), 401, "token_invalid"],
  ["unknown API route", () => call("/v1/nothing-here", { headers: auth() }), 404, "not_found"],
  // Text that is not text, or shows nothing.
  ["text with a lone high surrogate", () => post(`{"text":"hi \\ud800 there","clientMessageId":"${cid("s1")}"}`), 400, "validation_failed"],
  ["text with a lone low surrogate", () => post(`{"text":"\\udc00","clientMessageId":"${cid("s2")}"}`), 400, "validation_failed"],
  ["text with a surrogate pair in the wrong order", () => post(`{"text":"\\ude00\\ud83d","clientMessageId":"${cid("s3")}"}`), 400, "validation_failed"],
  ["text of zero-width spaces only", () => post(JSON.stringify({ text: "\u200b\u200b", clientMessageId: cid("z1") })), 400, "validation_failed"],
  ["text of joiners, a BOM and spaces only", () => post(JSON.stringify({ text: " \u200d\ufeff\u2060 \u200c", clientMessageId: cid("z2") })), 400, "validation_failed"],
  ["text of bidi marks and a variation selector only", () => post(JSON.stringify({ text: "\u200e\u202e\ufe0f", clientMessageId: cid("z3") })), 400, "validation_failed"],
  // Keys that mean something to JavaScript objects.
  ["a __proto__ key in a message", () => post(`{"text":"hi","clientMessageId":"${cid("p1")}","__proto__":{"admin":true}}`), 400, "unknown_field"],
  ["a constructor key in a message", () => post(`{"text":"hi","clientMessageId":"${cid("p2")}","constructor":{"prototype":{"admin":true}}}`), 400, "unknown_field"],
  ["a __proto__ key when creating", () => call("/v1/conversations", { method: "POST", headers: json, body: '{"__proto__":{"locale":"xx"}}' }), 400, "unknown_field"],
  ["a __proto__ key in customer", () => call("/v1/conversations", { method: "POST", headers: json, body: '{"customer":{"__proto__":{"id":"x"}}}' }), 400, "unknown_field"],
  ["a __proto__ metadata key", () => call("/v1/conversations", { method: "POST", headers: json, body: '{"metadata":{"__proto__":"polluted"}}' }), 400, "unknown_field"],
  ["a __proto__ key spelt with escapes", () => call("/v1/conversations", { method: "POST", headers: json, body: '{"metadata":{"\\u005f_proto__":"polluted"}}' }), 400, "unknown_field"],
  ["a constructor metadata key", () => call("/v1/conversations", { method: "POST", headers: json, body: '{"metadata":{"constructor":"polluted"}}' }), 400, "validation_failed"],
  // Deep nesting: parsed and refused without recursion trouble.
  ["text nested 10,000 arrays deep", () => post(`{"text":${"[".repeat(10_000)}${"]".repeat(10_000)},"clientMessageId":"${cid("d1")}"}`), 400, "validation_failed"],
  ["an unknown field nested 10,000 objects deep", () => post(`{"text":"hi","clientMessageId":"${cid("d2")}","x":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`), 400, "unknown_field"],
  ["a body of 10,000 nested arrays", () => post(`${"[".repeat(10_000)}${"]".repeat(10_000)}`), 400, "validation_failed"],
  ["metadata nested 10,000 objects deep", () => call("/v1/conversations", { method: "POST", headers: json, body: `{"metadata":{"k":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}}` }), 400, "validation_failed"],
  ["a body of 40,000 nested arrays (over the size limit)", () => post(`${"[".repeat(40_000)}${"]".repeat(40_000)}`), 413, "payload_too_large"],
  // Cursors and page sizes that are numbers only to a lenient parser.
  ...["after=0x10", "after=1e3", "after=1e309", "after=99999999999999999999", "after=", "after=%2B1", "after=1.0", "limit=0x10", "limit=1e1", "limit=Infinity", "limit=%2010"].map(
    (query): HttpCase => [`transcript with ${query}`, () => call(`${messages()}?${query}`, { headers: auth() }), 400, "validation_failed"],
  ),
  ["WebSocket with after=0x10", () => openSocket(conv, { after: "0x10" as unknown as number }), 400, "validation_failed"],
  ["WebSocket with after=1e309", () => openSocket(conv, { after: "1e309" as unknown as number }), 400, "validation_failed"],
  // A token in both places: the Authorization header wins, and a bad one is not rescued.
  ["a bad Authorization header with a good subprotocol token", () => call(messages(), { headers: { Authorization: "Bearer nonsense", "Sec-WebSocket-Protocol": `holdfast.v1, holdfast.auth.${conv.token}` } }), 401, "token_invalid"],
  ["another conversation's header token with this one's subprotocol token", () => call(messages(), { headers: { Authorization: `Bearer ${other.token}`, "Sec-WebSocket-Protocol": `holdfast.v1, holdfast.auth.${conv.token}` } }), 403, "forbidden"],
  ["a WebSocket with a bad header and a good subprotocol token", () => call(`/v1/conversations/${conv.id}/ws`, { headers: { Upgrade: "websocket", Authorization: "Bearer nonsense", "Sec-WebSocket-Protocol": `holdfast.v1, holdfast.auth.${conv.token}` } }), 401, "token_invalid"],
  // The key rewrap pass (admin): a cursor is only what the endpoint returned.
  ...(
    [
      ["a cursor it never returned", { cursor: "99.zz" }, "validation_failed"],
      ["a cursor past the last shard", { cursor: "16." }, "validation_failed"],
      ["a limit over 200", { limit: 201 }, "validation_failed"],
      ["a limit of 0", { limit: 0 }, "validation_failed"],
      ["an unknown field", { cursor: "", everything: true }, "unknown_field"],
    ] as const
  ).map(([name, body, code]): HttpCase => [`key rewrap with ${name}`, () => call("/v1/admin/keys/rewrap", { method: "POST", headers: { ...json, Authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify(body) }), 400, code]),
];

describe("bad HTTP input", () => {
  // Titles show the status and code (the request itself is a function).
  it.each(httpCases.map(([name, request, status, code]) => [name, status, code, request] as const))("%s → %i %s, state unchanged", async (_name, status, code, request) => {
    const before = await state(conv);
    const res = await request();
    expect(res.status).toBe(status);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(await state(conv)).toEqual(before);
  });

  it("takes the Authorization header over a subprotocol token: a good header with another conversation's subprotocol token reads this conversation", async () => {
    const res = await call(`${messages()}?limit=1`, { headers: { ...auth(), "Sec-WebSocket-Protocol": `holdfast.v1, holdfast.auth.${other.token}` } });
    expect(res.status).toBe(200);
    expect((await res.json<{ messages: Array<{ text: string }> }>()).messages[0]?.text).toBe("a first message");
  });

  it.each([
    ["an emoji sequence joined by U+200D", "\u{1F469}\u200d\u{1F4BB} broke my laptop"],
    ["a zero-width space between letters", "re\u200bfund"],
    ["a correct surrogate pair", "\u{1F600}"],
  ])("still accepts text with %s", async (_name, text) => {
    const res = await post(JSON.stringify({ text, clientMessageId: cid(`ok-${text.length}-${text.codePointAt(0)}`) }));
    expect(res.status).toBe(200);
  });

  it("never echoes customer text in an error", async () => {
    const secret = "my card number is 4111 1111 1111 1111";
    const res = await post(JSON.stringify({ text: secret, clientMessageId: "x", extra: secret }));
    expect(await res.text()).not.toContain("4111");
  });
});

describe("client addresses that do not parse (CF-Connecting-IP)", () => {
  // Not the client's fault and no reason to fail: each is counted under one stable key.
  it.each([
    ["a word", "not-an-address"],
    ["an octet over 255", "300.1.2.3"],
    ["two ::", "2001:db8::1::2"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["a bad IPv4-mapped address", "::ffff:999.1.1.1"],
    ["an address with a port", "[2001:db8::1]:443"],
    ["a zone id alone", "%eth0"],
    ["4,000 characters", "2001:db8:".repeat(400)],
  ])("%s: conversations start, messages send and sockets open as usual", async (_name, ip) => {
    const started = await call("/v1/conversations", { method: "POST", headers: { ...json, "CF-Connecting-IP": ip }, body: "{}" });
    expect(started.status).toBe(201);
    const created = await started.json<Created>();
    expect((await send(created, "hello", cid("addr"), { "CF-Connecting-IP": ip })).status).toBe(200);
    const client = await SocketClient.open(created, { headers: { "CF-Connecting-IP": ip } });
    client.send('{"type":"ping"}');
    await client.until((c) => c.frames.some((f) => f.type === "pong"));
    client.ws.close();
    expect((await call("/v1/admin/kb/status", { headers: { Authorization: "Bearer nonsense", "CF-Connecting-IP": ip } })).status).toBe(401);
  });
});

// Messages built to make a pattern backtrack: before the fix, the first took 25 s of CPU in
// redaction alone, and every request to the isolate (here, /healthz) waited behind it.
const backtrackCases: Array<[name: string, text: string]> = [
  ["a secret keyword, 3,990 spaces and a Chinese character", "密码" + " ".repeat(3990) + "中"],
  ["a secret keyword, 是, and a run of tabs and ideographic spaces", "验证码是" + "\t\u3000".repeat(1990) + "中"],
  ["an order keyword and blanks before a colon and a hash", "订单号" + " \t".repeat(1995) + ":#"],
  ["a follow-up opener and 3,988 blanks", "what about" + " \t".repeat(1994) + "?"],
  ["3,999 equals signs and a letter", "=".repeat(3999) + "x"],
];

describe("messages built to make a pattern backtrack (ReDoS)", () => {
  it.each(backtrackCases)("%s is stored and answered while /healthz answers", async (_name, text) => {
    const target = await createConversation();
    const [res, health] = await Promise.all([send(target, text, cid("redos")), call("/healthz")]);
    expect(health.status).toBe(200);
    expect(res.status).toBe(200);
    const turn = await res.json<{ message: { seq: number }; reply: { role: string; replyTo: number } }>();
    expect(turn.reply).toMatchObject({ role: "assistant", replyTo: turn.message.seq });
    expect((await transcript(target)).map((m) => m.role)).toEqual(["customer", "assistant"]);
    expect((await call("/healthz")).status).toBe(200);
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

describe("floods over the HTTP mirrors of the customer's frames", () => {
  const { limit } = readConfig(env).limits.conversationFrames;
  const postTo = (c: Created, path: string, body: unknown) => call(`/v1/conversations/${c.id}${path}`, { method: "POST", headers: { ...json, Authorization: `Bearer ${c.token}` }, body: JSON.stringify(body) });

  it.each([
    ["rating", "/rating", () => ({ score: 4 })],
    ["handoff", "/handoff", () => ({})],
    ["offline message", "/offline-message", (i: number) => ({ email: "lee@example.com", text: `call me ${i}`, clientMessageId: cid(`hoff${i}`) })],
    ["feedback", "/messages/2/feedback", (i: number) => ({ helpful: i % 2 === 0 })],
  ])("limits %s requests per conversation: past the limit 429 rate_limited with Retry-After", async (_name, path, body) => {
    const c = await createConversation({ team: `flood-${crypto.randomUUID().slice(0, 8)}` });
    if (path === "/offline-message") expect((await postTo(c, "/handoff", {})).status).toBe(200);
    if (path.endsWith("/feedback")) expect((await send(c, "How do I reset my password?", cid("flood-fb"))).status).toBe(200);
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 3 * limit && !refused; i++) {
      const res = await postTo(c, path, body(i));
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(refused).not.toBeNull();
    expect(Number(refused!.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused!.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect(statuses.length).toBeLessThanOrEqual(limit + 2);
  });
});

describe("a flood of offline tickets", () => {
  it("caps a team's open tickets: one more is 429 too_many_tickets over HTTP, an error frame on the WebSocket, and stores nothing", async () => {
    const team = `tickets-${crypto.randomUUID().slice(0, 8)}`;
    // The team's desk keeps two open tickets (MAX_OPEN_TICKETS is 500 by default: too many conversations for a test).
    await runInDurableObject(env.AGENT_DESK.get(env.AGENT_DESK.idFromName(team)), (instance: AgentDeskDO) => {
      const desk = instance as unknown as { config: DeskConfig };
      desk.config = { ...desk.config, maxOpenTickets: 2 };
    });
    const postTo = (c: Created, path: string, body: unknown) => call(`/v1/conversations/${c.id}${path}`, { method: "POST", headers: { ...json, Authorization: `Bearer ${c.token}` }, body: JSON.stringify(body) });
    const leave = async (n: number) => {
      const c = await createConversation({ team });
      expect(await (await postTo(c, "/handoff", {})).json()).toMatchObject({ state: "offline" });
      return { c, res: await postTo(c, "/offline-message", { email: "lee@example.com", text: `ticket ${n}`, clientMessageId: cid(`tix${n}`) }) };
    };
    expect((await leave(1)).res.status).toBe(200);
    expect((await leave(2)).res.status).toBe(200);
    const third = await leave(3);
    expect(third.res.status).toBe(429);
    expect(await third.res.json()).toMatchObject({ error: { code: "too_many_tickets" } });
    expect(await transcript(third.c)).toEqual([]);
    const fourth = await createConversation({ team });
    const socket = await SocketClient.open(fourth);
    socket.send({ type: "handoff" });
    await socket.until((c) => c.frames.some((f) => f.type === "handoff" && f.state === "offline"));
    socket.send({ type: "offline_message", email: "lee@example.com", text: "ticket 4", clientMessageId: cid("tix4") });
    await socket.until((c) => c.frames.some((f) => f.type === "error"));
    expect(socket.frames.find((f) => f.type === "error")).toMatchObject({ code: "too_many_tickets", clientMessageId: cid("tix4") });
    expect(await transcript(fourth)).toEqual([]);
  });
});

describe("a flood of requests for a person", () => {
  it("caps a team's waiting queue: one more is 429 queue_full over HTTP, an error frame on the WebSocket, and nobody else is queued", async () => {
    const team = `queue-${crypto.randomUUID().slice(0, 8)}`;
    // The team's queue holds two (MAX_QUEUE_LENGTH is 200 by default: too many conversations for a test).
    await runInDurableObject(env.AGENT_DESK.get(env.AGENT_DESK.idFromName(team)), (instance: AgentDeskDO) => {
      const desk = instance as unknown as { config: DeskConfig };
      desk.config = { ...desk.config, maxQueueLength: 2 };
    });
    const ask = async () => {
      const c = await createConversation({ team });
      return call(`/v1/conversations/${c.id}/handoff`, { method: "POST", headers: { ...json, Authorization: `Bearer ${c.token}` }, body: "{}" });
    };
    expect(await (await ask()).json()).toMatchObject({ state: "offline", position: 1 });
    expect(await (await ask()).json()).toMatchObject({ state: "offline", position: 2 });
    const third = await ask();
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: { code: "queue_full" } });
    const fourth = await createConversation({ team });
    const socket = await SocketClient.open(fourth);
    socket.send({ type: "handoff" });
    await socket.until((c) => c.frames.some((f) => f.type === "error"));
    expect(socket.frames.find((f) => f.type === "error")).toMatchObject({ code: "queue_full" });
    const snapshot = await env.AGENT_DESK.get(env.AGENT_DESK.idFromName(team)).snapshot(team);
    expect(snapshot.ok && snapshot.value.items.map((i) => i.position)).toEqual([1, 2]);
  });
});
