// Who may act at the desk: only agent and admin operators sign in; only a session token
// opens the agent API; an agent reads only what is waiting in their team's queue or theirs;
// every read is audited, and without an audit record there is no read.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditHead, auditPage } from "../../src/operators/repository.ts";
import { ADMIN_KEY, breakerCoolDown, call, createConversation, setFaults, testPrimary } from "./helpers.ts";
import { otherSpelling } from "../support/token-spelling.ts";
import { agent, agentCall, frames, handedOver, openConsole, operator, signIn, team } from "./agent-helpers.ts";

describe("signing in to the desk", () => {
  it("gives an agent a session for their team's desk", async () => {
    const t = team();
    const { id, key } = await operator("Ana", "agent", t);
    const res = await signIn(key);
    expect(res.status).toBe(201);
    const body = await res.json<{ token: string; agent: unknown; expiresAt: string; websocketUrl: string }>();
    expect(body.agent).toEqual({ id, name: "Ana", team: t });
    expect(body.token).toMatch(/^ag1\./);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(7 * 3600_000);
    expect(body.websocketUrl).toMatch(/\/v1\/agent\/ws$/);
  });

  it.each([
    ["a kb_editor key", async (): Promise<string> => (await operator("Kim", "kb_editor", null)).key, 403, "forbidden"],
    ["an ops_viewer key", async (): Promise<string> => (await operator("Oz", "ops_viewer", null)).key, 403, "forbidden"],
    ["the break-glass admin key (desk work must name a person)", async (): Promise<string> => ADMIN_KEY, 403, "forbidden"],
    ["an unknown operator key", async (): Promise<string> => "hf_op_not-a-real-key-0000000000000000", 401, "operator_key_invalid"],
  ] as const)("refuses %s", async (_name, key, status, code) => {
    const res = await signIn(await key());
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("lets an admin sign in as a supervisor of the default team when they have none", async () => {
    const { key } = await operator("Ada", "admin", null);
    const body = await (await signIn(key)).json<{ agent: { team: string } }>();
    expect(body.agent.team).toBe("support");
  });
});

describe("the agent API", () => {
  it.each([
    ["no credentials", undefined, 401, "unauthorized"],
    ["a customer's conversation token", "conversation", 401, "token_invalid"],
    ["an operator key instead of a session", "operator", 401, "token_invalid"],
    ["a session whose signature is spelled otherwise (the same bytes)", "respelled", 401, "token_invalid"],
  ] as const)("refuses %s", async (_name, credential, status, code) => {
    let token: string | undefined;
    if (credential === "conversation") token = (await createConversation()).token;
    if (credential === "operator") token = (await operator("Kim", "kb_editor", null)).key;
    if (credential === "respelled") token = otherSpelling((await agent("Sam", team())).token);
    for (const path of ["/v1/agent/queue", `/v1/agent/conversations/${"a".repeat(64)}`]) {
      const res = await call(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    }
    const ws = await call("/v1/agent/ws", { headers: { Upgrade: "websocket", ...(token && { Authorization: `Bearer ${token}` }) } });
    expect(ws.status).toBe(status);
  });

  it("lets an agent read a conversation waiting in their team's queue or assigned to them, and nothing else", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    const outsider = await agent("Oli", team());
    const anaDesk = await openConsole(ana, { status: "online", capacity: 1 });
    const mine = await handedOver(t);
    await anaDesk.until((d) => frames(d, "assigned").length === 1);
    const waiting = await handedOver(t);
    const read = (a: typeof ana, id: string) => agentCall(a.token, `/conversations/${id}`);
    expect((await read(ana, mine.id)).status).toBe(200);
    expect((await read(ana, waiting.id)).status).toBe(200);
    expect((await read(ben, waiting.id)).status).toBe(200);
    // Assigned to a colleague, in another team, or never handed over: not readable.
    for (const [who, id] of [[ben, mine.id], [outsider, waiting.id], [ana, (await createConversation({ team: t })).id]] as const) {
      const res = await read(who, id);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "forbidden" } });
    }
  });

  it("lets an admin (a supervisor) read any conversation the team's desk holds", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const boss = await agent("Ada", t, "admin");
    const anaDesk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    await anaDesk.until((d) => frames(d, "assigned").length === 1);
    expect((await agentCall(boss.token, `/conversations/${conv.id}`)).status).toBe(200);
  });

  it("audits every transcript read, and refuses the read when the audit log cannot be written", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    expect((await agentCall(ana.token, `/conversations/${conv.id}`)).status).toBe(200);
    const head = await auditHead(testPrimary());
    expect(head).toMatchObject({ actor: ana.id, role: "agent", action: "conversation.read", target: conv.id, outcome: "ok" });
    await setFaults("primary-down");
    try {
      const res = await agentCall(ana.token, `/conversations/${conv.id}`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "audit_unavailable" } });
    } finally {
      await setFaults();
      // The failed audit writes opened the primary's breaker: let it close again.
      await breakerCoolDown();
    }
  });

  it("audits what an agent does over the console's WebSocket under the REST mirrors' names, typing aside", async () => {
    const t = team();
    const after = (await auditHead(testPrimary()))?.seq ?? 0;
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    const anaDesk = await openConsole(ana, { status: "online", capacity: 1 });
    const benDesk = await openConsole(ben, { status: "away" });
    const conv = await handedOver(t);
    await anaDesk.until((d) => frames(d, "assigned").length === 1);
    anaDesk.send({ type: "typing", conversationId: conv.id });
    anaDesk.send({ type: "message", conversationId: conv.id, text: "Hello, this is Ana", clientMessageId: "ws-audit-m1" });
    anaDesk.send({ type: "note", conversationId: conv.id, text: "private remark", clientMessageId: "ws-audit-n1" });
    await anaDesk.until((d) => frames(d, "ack").length === 2);
    benDesk.send({ type: "release", conversationId: conv.id });
    await benDesk.until((d) => frames(d, "error").length === 1);
    const mine = (e: { actor: string }) => e.actor === ana.id || e.actor === ben.id;
    const wanted = 5;
    let entries = (await auditPage(testPrimary(), after, 1_000)).filter(mine);
    for (let i = 0; i < 50 && entries.filter((e) => e.action !== "agent.session").length < wanted; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      entries = (await auditPage(testPrimary(), after, 1_000)).filter(mine);
    }
    const actions = entries.filter((e) => e.action !== "agent.session").map((e) => [e.actor, e.role, e.action, e.target, e.outcome]);
    expect(actions).toEqual([
      [ana.id, "agent", "agent.presence", ana.id, "ok"],
      [ben.id, "agent", "agent.presence", ben.id, "ok"],
      [ana.id, "agent", "agent.conversation.messages", conv.id, "ok"],
      [ana.id, "agent", "agent.conversation.notes", conv.id, "ok"],
      [ben.id, "agent", "agent.conversation.release", conv.id, "denied"],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/Hello|private remark/);
  });

  it("refuses actions on a conversation the agent does not have, with stable codes", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const ben = await agent("Ben", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await handedOver(t);
    const res = await agentCall(ben.token, `/conversations/${conv.id}/messages`, { method: "POST", body: { text: "I'm not yours", clientMessageId: "not-mine-01" } });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "conversation_not_assigned" } });
    const notOurs = await agentCall(ana.token, `/conversations/${"b".repeat(64)}/release`, { method: "POST" });
    expect(await notOurs.json()).toMatchObject({ error: { code: "conversation_not_found" } });
    const bad = await agentCall(ana.token, `/conversations/${conv.id}/close`, { method: "POST", body: { resolution: "fixed" } });
    expect(bad.status).toBe(400);
  });
});

describe("the OpenAPI document", () => {
  it("documents the desk's routes, the customer's handoff routes and a conversation's team", async () => {
    const spec = await (await call("/openapi.json")).json<{ paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/v1/agent/session",
        "/v1/agent/ws",
        "/v1/agent/queue",
        "/v1/agent/conversations/{id}",
        ...["claim", "messages", "notes", "transfer", "release", "close"].map((a) => `/v1/agent/conversations/{id}/${a}`),
        "/v1/agent/tickets/{id}/close",
        "/v1/conversations/{id}/handoff",
        "/v1/conversations/{id}/rating",
        "/v1/conversations/{id}/messages/{seq}/feedback",
        "/v1/conversations/{id}/offline-message",
      ]),
    );
    expect(spec.components.schemas.CreateConversation?.properties).toHaveProperty("team");
  });
});
