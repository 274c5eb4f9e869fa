// Outbound webhooks in workerd against a local receiver that checks signatures: the admin
// API (roles, audit, the secret shown once, bad URLs), a team's conversation events signed and
// delivered (text only where opted in), retries with backoff under the same event id, giving
// up, and an erased conversation's deliveries left unsent.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { eq } from "drizzle-orm";
import type { WebhookDO } from "../../src/index.ts";
import { webhooks } from "../../src/kb/schema.ts";
import { auditPage } from "../../src/operators/repository.ts";
import { SIGNATURE_HEADER, verifySignature } from "../../src/ops/alert-delivery.ts";
import { signCustomer } from "../../src/privacy/identity.ts";
import type { ReceivedHook } from "../support/webhook-receiver.ts";
import { ADMIN_KEY, call, cid, createConversation, send, testPrimary, unique } from "./helpers.ts";
import { agent, agentCall, frames, openConsole, operator, team } from "./agent-helpers.ts";
import { eventually } from "./ops-helpers.ts";

const receiver = inject("webhookUrl");
const received = async (path: string) => (await fetch(`${receiver}/received?path=${encodeURIComponent(path)}`)).json<ReceivedHook[]>();
const failing = (path: string, on: boolean) => fetch(`${receiver}/fail?path=${encodeURIComponent(path)}`, { method: "PUT", body: on ? "on" : "off" });

interface Created {
  id: string;
  url: string;
  createdAt: string;
  secret: string;
  team: string | null;
  events: string[];
  includeText: boolean;
}

function hooks(method: string, path = "", body?: unknown, key = ADMIN_KEY): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return call(`/v1/admin/webhooks${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function subscribe(body: Record<string, unknown>): Promise<Created> {
  const res = await hooks("POST", "", body);
  if (res.status !== 201) throw new Error(`subscribe: ${res.status} ${await res.text()}`);
  return res.json<Created>();
}

const outbox = (t: string) => env.WEBHOOKS.get(env.WEBHOOKS.idFromName(t));
const bodies = (hs: ReceivedHook[]) => hs.map((h) => JSON.parse(h.body) as { id: string; type: string; team: string; data: Record<string, Record<string, unknown>> });

describe("the webhooks API", () => {
  it("is for admins, audited, and shows the secret only when it is made", async () => {
    const editor = await operator("Kim", "kb_editor", null);
    const refused = await hooks("POST", "", { url: `${receiver}/hook/x`, events: ["message.created"] }, editor.key);
    expect(refused.status).toBe(403);
    const t = team();
    const created = await subscribe({ url: `${receiver}/hook/${t}`, events: ["conversation.created", "conversation.closed"], team: t });
    expect(created).toEqual({ id: expect.stringMatching(/^wh_[0-9a-f]{16}$/), url: `${receiver}/hook/${t}`, events: ["conversation.created", "conversation.closed"], team: t, includeText: false, createdAt: expect.any(String), secret: expect.stringMatching(/^whsec_[0-9a-f]{64}$/) });
    const listed = await (await hooks("GET")).json<{ webhooks: Array<Record<string, unknown>> }>();
    const mine = listed.webhooks.find((w) => w.id === created.id);
    expect(mine).toEqual({ id: created.id, url: created.url, events: created.events, team: t, includeText: false, createdAt: created.createdAt });
    // Nowhere but in the answer to POST: not listed, not in the primary in the clear.
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
    const stored = await testPrimary().select().from(webhooks).where(eq(webhooks.id, created.id));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(created.secret.slice(6));
    expect((await hooks("DELETE", `/${created.id}`)).status).toBe(200);
    const again = await hooks("DELETE", `/${created.id}`);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: "webhook_not_found" } });
    const page = await auditPage(testPrimary(), 0, 100_000);
    const trail = page.filter((e) => e.action.startsWith("webhook.")).map((e) => [e.action, e.target, e.outcome, e.role]);
    expect(trail).toEqual(expect.arrayContaining([["webhook.create", "-", "denied", "kb_editor"], ["webhook.create", created.id, "ok", "admin"], ["webhook.list", "-", "ok", "admin"], ["webhook.delete", created.id, "ok", "admin"], ["webhook.delete", created.id, "denied", "admin"]]));
  });

  it.each([
    ["another scheme", { url: "ftp://crm.example.com/h", events: ["message.created"] }, "webhook_url_invalid"],
    ["plain http to a public host", { url: "http://crm.example.com/h", events: ["message.created"] }, "webhook_url_invalid"],
    ["credentials in the URL", { url: "https://u:p@crm.example.com/h", events: ["message.created"] }, "webhook_url_invalid"],
    ["a private address", { url: "https://192.168.0.10/h", events: ["message.created"] }, "webhook_url_invalid"],
    ["no events", { url: "https://crm.example.com/h", events: [] }, "validation_failed"],
    ["an unknown event", { url: "https://crm.example.com/h", events: ["message.deleted"] }, "validation_failed"],
    ["a team that is no desk name", { url: "https://crm.example.com/h", events: ["message.created"], team: "../x" }, "validation_failed"],
    ["includeText as text", { url: "https://crm.example.com/h", events: ["message.created"], includeText: "yes" }, "validation_failed"],
    ["an extra field", { url: "https://crm.example.com/h", events: ["message.created"], secret: "mine" }, "unknown_field"],
  ])("refuses %s with 400 %s", async (_name, body, code) => {
    const res = await hooks("POST", "", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("refuses a malformed id with 400 and an unknown one with 404", async () => {
    expect((await hooks("DELETE", "/not-an-id")).status).toBe(400);
    expect((await hooks("DELETE", "/wh_0000000000000000")).status).toBe(404);
  });
});

describe("deliveries", () => {
  it("sends a team's conversation events, signed, without text unless the subscription opted in", async () => {
    const t = team();
    const plain = await subscribe({ url: `${receiver}/hook/${t}-plain`, events: ["conversation.created", "message.created", "handoff.requested", "conversation.assigned", "conversation.closed", "rating.created"], team: t });
    const texts = await subscribe({ url: `${receiver}/hook/${t}-text`, events: ["message.created", "rating.created"], team: t, includeText: true });
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await createConversation({ team: t });
    await send(conv, "How do I reset my password?", cid("wh1"));
    const post = (path: string, body: unknown) => call(`/v1/conversations/${conv.id}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify(body) });
    expect(await (await post("/handoff", {})).json()).toMatchObject({ state: "assigned" });
    await desk.until((d) => frames(d, "assigned").length === 1);
    expect((await agentCall(ana.token, `/conversations/${conv.id}/messages`, { method: "POST", body: { text: "Hi, Ana here: let me check", clientMessageId: cid("wh2") } })).status).toBe(200);
    expect((await agentCall(ana.token, `/conversations/${conv.id}/close`, { method: "POST", body: { resolution: "resolved" } })).status).toBe(200);
    expect((await post("/rating", { score: 4, comment: "Quick and kind" })).status).toBe(200);
    // Another team's conversation is none of these subscriptions' business.
    await createConversation({ team: team() });

    const all = await eventually(() => received(`/hook/${t}-plain`), (hs) => hs.length >= 8, 10_000);
    for (const h of all) expect(await verifySignature(plain.secret, h.body, h.headers[SIGNATURE_HEADER.toLowerCase()] ?? null)).toBe(true);
    const events = bodies(all);
    // Each event once: the customer's message, the bot's answer and the agent's reply are three messages.
    expect(events.map((e) => e.type).sort()).toEqual(["conversation.assigned", "conversation.closed", "conversation.created", "handoff.requested", "message.created", "message.created", "message.created", "rating.created"]);
    expect(new Set(events.map((e) => e.id)).size).toBe(8);
    for (const [i, e] of events.entries()) {
      expect(e.team).toBe(t);
      expect(e.data.conversation?.id).toBe(conv.id);
      expect(all[i]!.headers["x-holdfast-delivery"]).toBe(e.id);
      expect(all[i]!.headers["x-holdfast-event"]).toBe(e.type);
    }
    const messages = events.filter((e) => e.type === "message.created").map((e) => e.data.message);
    expect(messages.map((m) => m?.role)).toEqual(["customer", "assistant", "agent"]);
    expect(messages[2]).toMatchObject({ agentId: ana.id });
    expect(events.find((e) => e.type === "conversation.assigned")?.data.agent).toEqual({ id: ana.id, name: "Ana" });
    expect(events.find((e) => e.type === "conversation.closed")?.data.close).toEqual({ reason: "closed_by_agent", resolution: "resolved" });
    expect(events.find((e) => e.type === "handoff.requested")?.data.handoff).toMatchObject({ reason: "customer_request", state: "assigned" });
    const everything = all.map((h) => h.body).join("\n");
    for (const words of ["reset my password", "let me check", "Quick and kind"]) expect(everything).not.toContain(words);

    const withText = bodies(await eventually(() => received(`/hook/${t}-text`), (hs) => hs.length >= 4, 10_000));
    for (const h of await received(`/hook/${t}-text`)) expect(await verifySignature(texts.secret, h.body, h.headers["x-holdfast-signature"] ?? null)).toBe(true);
    expect(withText.map((e) => e.type).sort()).toEqual(["message.created", "message.created", "message.created", "rating.created"]);
    expect(withText.filter((e) => e.type === "message.created").map((e) => e.data.message?.text)).toEqual(["How do I reset my password?", expect.any(String), "Hi, Ana here: let me check"]);
    expect(withText.find((e) => e.type === "rating.created")?.data.rating).toEqual({ score: 4, comment: "Quick and kind" });
  });

  it("tries again with backoff until the receiver accepts, with the same event id, and gives up after the last attempt", async () => {
    const t = team();
    const path = `/hook/${t}`;
    await subscribe({ url: `${receiver}${path}`, events: ["conversation.created"], team: t });
    await failing(path, true);
    try {
      await createConversation({ team: t });
      await eventually(() => received(path), (hs) => hs.length === 1);
      expect(await outbox(t).pending()).toBe(1);
      // The next attempt is due about 5 s later; run it then, and the one after.
      await runInDurableObject(outbox(t), (o: WebhookDO) => o.deliver(Date.now() + 5_500));
      await failing(path, false);
      await runInDurableObject(outbox(t), (o: WebhookDO) => o.deliver(Date.now() + 30_000));
      const attempts = await received(path);
      expect(attempts).toHaveLength(3);
      expect(new Set(attempts.map((h) => h.headers["x-holdfast-delivery"])).size).toBe(1);
      expect(new Set(attempts.map((h) => h.body)).size).toBe(1);
      expect(await outbox(t).pending()).toBe(0);

      // A receiver that never accepts: twelve attempts in all (about two hours), then the delivery is dropped.
      await failing(path, true);
      await createConversation({ team: t });
      await eventually(() => received(path), (hs) => hs.length === 4);
      for (let i = 1; i <= 12; i++) await runInDurableObject(outbox(t), (o: WebhookDO) => o.deliver(Date.now() + i * 3_600_000));
      expect((await received(path)).length).toBe(3 + 12);
      expect(await outbox(t).pending()).toBe(0);
    } finally {
      await failing(path, false);
    }
  });

  it("leaves an erased conversation's deliveries unsent", async () => {
    const t = team();
    const path = `/hook/${t}`;
    await subscribe({ url: `${receiver}${path}`, events: ["conversation.created", "message.created"], team: t, includeText: true });
    await failing(path, true);
    try {
      const customerId = `cust-${unique()}`;
      const signature = await signCustomer("test-customer-signing-secret-0123", customerId);
      const conv = await createConversation({ team: t, customer: { id: customerId }, customerSignature: signature });
      await send(conv, "My order 5521 never came", cid("wh-erase"));
      await eventually(() => outbox(t).pending(), (n) => n === 3);
      expect((await call(`/v1/admin/subjects/${encodeURIComponent(customerId)}`, { method: "DELETE", headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
      expect(await outbox(t).pending()).toBe(0);
    } finally {
      await failing(path, false);
    }
  });

  it("sends every team's events to a subscription without a team, until it is deleted", async () => {
    const path = `/hook/all-${unique()}`;
    const everyone = await subscribe({ url: `${receiver}${path}`, events: ["conversation.created"] });
    try {
      const [a, b] = [team(), team()];
      await createConversation({ team: a });
      await createConversation({ team: b });
      const got = bodies(await eventually(() => received(path), (hs) => bodies(hs).filter((e) => e.team === a || e.team === b).length === 2));
      expect(got.filter((e) => e.team === a || e.team === b).map((e) => e.team).sort()).toEqual([a, b].sort());
    } finally {
      expect((await hooks("DELETE", `/${everyone.id}`)).status).toBe(200);
    }
  });
});
