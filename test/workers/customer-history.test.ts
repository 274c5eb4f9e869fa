// A verified customer's history in workerd: the agent's view lists their earlier
// conversations (when, channel, how each ended, rating, the articles the bot gave, the agent's
// resolution) and opens each transcript through the current one, audited; a returning
// customer whose last conversation was handed off or unresolved lately is greeted with it, in
// their language, with a quick reply to the queue. Unverified customers get none of this.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { SubjectIndexDO } from "../../src/index.ts";
import { auditHead } from "../../src/operators/repository.ts";
import { signCustomer, subjectKey } from "../../src/privacy/identity.ts";
import { call, cid, createConversation, send, testPrimary, unique, warmReplica, type Created } from "./helpers.ts";
import { agent, agentCall, frames, openConsole, team } from "./agent-helpers.ts";
import { eventually } from "./ops-helpers.ts";

const SIGNING_SECRET = "test-customer-signing-secret-0123";

beforeAll(() => warmReplica("weur"), 60_000);

async function verified(customerId: string, extra: Record<string, unknown> = {}): Promise<Created> {
  return createConversation({ customer: { id: customerId, name: "Ada" }, customerSignature: await signCustomer(SIGNING_SECRET, customerId), ...extra });
}

const post = (conv: Created, path: string, body: unknown) => call(`/v1/conversations/${conv.id}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify(body) });
const end = (conv: Created) => call(`/v1/conversations/${conv.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${conv.token}` } });

interface Entry {
  id: string;
  startedAt: string;
  channel: string;
  status: string;
  handedOff: boolean;
  resolution?: string;
  rating?: number;
  articles: Array<{ articleId: string; title: string }>;
}

describe("the customer's history in the agent's view", () => {
  it("lists a verified customer's earlier conversations, newest first, and opens each transcript through the current one, audited", async () => {
    const t = team();
    const customer = `cust-${unique()}`;
    // An answered question, rated, closed by the customer.
    const answered = await verified(customer, { team: t });
    const turn = await (await send(answered, "How do I reset my password?", cid("h1"))).json<{ reply: { meta: { decision: string; citations: Array<{ articleId: string; title: string }> } } }>();
    expect(turn.reply.meta.decision).toBe("answer");
    expect((await post(answered, "/rating", { score: 4 })).status).toBe(200);
    expect((await end(answered)).status).toBe(200);
    // A person asked for; the agent closes it as not resolved.
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 2 });
    const handed = await verified(customer, { team: t });
    expect(await (await post(handed, "/handoff", {})).json()).toMatchObject({ state: "assigned" });
    expect((await agentCall(ana.token, `/conversations/${handed.id}/close`, { method: "POST", body: { resolution: "not_resolved" } })).status).toBe(200);
    // Today's conversation, with Ana.
    const today = await verified(customer, { team: t });
    await post(today, "/handoff", {});
    await desk.until((d) => frames(d, "assigned").some((f) => f.conversationId === today.id));

    const read = () => agentCall(ana.token, `/conversations/${today.id}`).then((r) => r.json<{ history: Entry[] }>());
    const { history } = await eventually(read, (v) => v.history.length === 2 && v.history[0]?.status === "closed_by_agent" && v.history[1]?.rating === 4);
    expect(history).toEqual([
      { id: handed.id, startedAt: expect.any(String), channel: "web", status: "closed_by_agent", handedOff: true, resolution: "not_resolved", articles: [], updatedAt: expect.any(String) },
      { id: answered.id, startedAt: expect.any(String), channel: "web", status: "closed_by_customer", handedOff: false, rating: 4, articles: turn.reply.meta.citations.map((a) => ({ articleId: a.articleId, title: a.title })), updatedAt: expect.any(String) },
    ]);
    expect(Date.parse(history[0]!.startedAt)).toBeGreaterThan(Date.parse(history[1]!.startedAt));

    // An earlier transcript opens through today's conversation, and the read is audited.
    const earlier = await agentCall(ana.token, `/conversations/${answered.id}?via=${today.id}`);
    expect(earlier.status).toBe(200);
    const page = await earlier.json<{ conversation: { id: string }; messages: Array<{ text: string }> }>();
    expect(page.conversation.id).toBe(answered.id);
    expect(page.messages.map((m) => m.text)[0]).toBe("How do I reset my password?");
    expect(await auditHead(testPrimary())).toMatchObject({ actor: ana.id, action: "conversation.read", target: answered.id, outcome: "ok" });
    // Not on its own, not through a conversation whose customer it is not, not through one the agent may not read.
    expect((await agentCall(ana.token, `/conversations/${answered.id}`)).status).toBe(403);
    const stranger = await verified(`cust-${unique()}`, { team: t });
    await post(stranger, "/handoff", {});
    expect((await agentCall(ana.token, `/conversations/${stranger.id}?via=${today.id}`)).status).toBe(403);
    expect(await auditHead(testPrimary())).toMatchObject({ actor: ana.id, action: "conversation.read", target: stranger.id, outcome: "denied" });
    expect((await agentCall(ana.token, `/conversations/${today.id}?via=${stranger.id}`)).status).toBe(403);
    expect((await agentCall(ana.token, `/conversations/${answered.id}?via=not-an-id`)).status).toBe(400);
  });

  it("shows no history for an unverified customer, even one who gives the same id", async () => {
    const t = team();
    const customer = `cust-${unique()}`;
    const earlier = await verified(customer, { team: t });
    await end(earlier);
    const ana = await agent("Ana", t);
    await openConsole(ana, { status: "online", capacity: 1 });
    const unverified = await createConversation({ team: t, customer: { id: customer } });
    await post(unverified, "/handoff", {});
    const view = await (await agentCall(ana.token, `/conversations/${unverified.id}`)).json<{ history: Entry[] }>();
    expect(view.history).toEqual([]);
    expect((await agentCall(ana.token, `/conversations/${earlier.id}?via=${unverified.id}`)).status).toBe(403);
  });
});

describe("greeting a returning customer", () => {
  const screen = (conv: Created | null, locale: string, token?: string) =>
    call(`/v1/topics?locale=${locale}${conv ? `&conversation=${conv.id}` : ""}`, { headers: conv ? { Authorization: `Bearer ${token ?? conv.token}` } : {} });

  it("mentions a last conversation handed off within 7 days, in the customer's language, with a quick reply to the queue", async () => {
    const customer = `cust-${unique()}`;
    const t = `nobody-${unique()}`;
    const before = await verified(customer, { team: t });
    // Nobody online: queued, told so; then the customer leaves.
    expect(await (await post(before, "/handoff", {})).json()).toMatchObject({ state: "offline" });
    await end(before);
    const back = await verified(customer, { team: t, locale: "zh-CN" });
    const res = await eventually(() => screen(back, "zh-CN").then((r) => r.json<{ greeting: string; returning?: Record<string, unknown> }>()), (b) => b.returning !== undefined);
    expect(res.returning).toEqual({ kind: "handed_off", at: expect.any(String), text: "欢迎回来！您上次联系过人工客服，需要由人工客服继续为您处理吗？", quickReply: { label: "转人工客服", action: "handoff" } });
    const english = await (await screen(back, "en")).json<{ returning: { text: string; quickReply: { label: string } } }>();
    expect(english.returning).toMatchObject({ kind: "handed_off", quickReply: { label: "Talk to a person", action: "handoff" } });
    expect((await screen(back, "en")).headers.get("cache-control")).toBe("private, no-store");
    // The quick reply goes straight to the queue.
    expect(await (await post(back, "/handoff", {})).json()).toMatchObject({ type: "handoff", state: "offline", reason: "no_agents", position: 1 });
    // Without the conversation's own token: refused, and nothing said.
    expect((await screen(back, "en", before.token)).status).toBe(403);
    const anonymous = await screen(null, "en");
    expect(anonymous.headers.get("cache-control")).toBe("public, max-age=60");
    expect(await anonymous.json()).not.toHaveProperty("returning");
  });

  it("says nothing of a last conversation that was settled, is older than 7 days, or to an unverified customer", async () => {
    const customer = `cust-${unique()}`;
    const t = `nobody-${unique()}`;
    const asked = await verified(customer, { team: t });
    await post(asked, "/handoff", {});
    await end(asked);
    // Unverified, with the same id: nothing.
    const unverified = await createConversation({ team: t, customer: { id: customer } });
    expect(await (await screen(unverified, "en")).json()).not.toHaveProperty("returning");
    // Eight days on, the handed-off conversation is no longer mentioned.
    const index = env.SUBJECTS.get(env.SUBJECTS.idFromName(await subjectKey(SIGNING_SECRET, customer)));
    await eventually(() => index.history(), (h) => h.some((e) => e.id === asked.id && e.handedOff && e.status === "closed_by_customer"));
    await runInDurableObject(index, (_i: SubjectIndexDO, state) => void state.storage.sql.exec("UPDATE conversations SET updated_at = ?", Date.now() - 8 * 86_400_000));
    const later = await verified(customer, { team: t });
    expect(await (await screen(later, "en")).json()).not.toHaveProperty("returning");
    // A last conversation the bot answered and that closed as resolved (assumed): nothing either.
    const other = `cust-${unique()}`;
    const settled = await verified(other, { team: t });
    await send(settled, "How do I reset my password?", cid("h2"));
    await runInDurableObject(env.SUBJECTS.get(env.SUBJECTS.idFromName(await subjectKey(SIGNING_SECRET, other))), (i: SubjectIndexDO) => i.note(settled.id, { status: "auto_resolved" }));
    const again = await verified(other, { team: t });
    expect(await (await screen(again, "en")).json()).not.toHaveProperty("returning");
  });
});
