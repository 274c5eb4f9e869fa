// Learning from confirmations through the real Worker: picks of suggested articles (HTTP and
// WebSocket), helpful marks, the editors' API and its roles, replicas pulling learned
// questions, erasure, EU conversations, and a primary that is down when a vote is cast.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { signCustomer } from "../../src/privacy/identity.ts";
import { agent, agentCall, frames, openConsole, operator, team } from "./agent-helpers.ts";
import { conversationIn, eventually, opsJson } from "./ops-helpers.ts";
import { eq } from "drizzle-orm";
import { learnedQuestions } from "../../src/kb/schema.ts";
import { admin, ADMIN_KEY, breakerCoolDown, call, cid, createArticle, createConversation, setFaults, SocketClient, testPrimary, unique, warmReplica, type Created } from "./helpers.ts";

interface Reply {
  seq: number;
  meta?: { decision?: string; suggestions?: Array<{ articleId: string }>; citations?: Array<{ articleId: string }> };
}
interface Learned {
  id: string;
  articleId: string;
  text: string;
  status: string;
  confirmations: number;
  notHelpful: number;
  sources: Record<string, number>;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ "Content-Type": "application/json", ...headers, body: JSON.stringify(body) });

async function ask(conv: Created, text: string, ip: string, choice?: { articleId: string; inReplyTo: number }): Promise<Reply> {
  const { body, ...headers } = json({ text, clientMessageId: cid(unique()), ...(choice && { choice }) }, { Authorization: `Bearer ${conv.token}`, "CF-Connecting-IP": ip });
  const res = await call(`/v1/conversations/${conv.id}/messages`, { method: "POST", headers, body });
  expect(res.status).toBe(200);
  return (await res.json<{ reply: Reply }>()).reply;
}

function mark(conv: Created, seq: number, helpful: boolean, ip: string): Promise<Response> {
  const { body, ...headers } = json({ helpful }, { Authorization: `Bearer ${conv.token}`, "CF-Connecting-IP": ip });
  return call(`/v1/conversations/${conv.id}/messages/${seq}/feedback`, { method: "POST", headers, body });
}

async function learned(query: string): Promise<Learned[]> {
  const res = await admin(`/learned?${query}`);
  expect(res.status).toBe(200);
  return (await res.json<{ items: Learned[] }>()).items;
}

/** Waits until the conversation's vote reached the primary (votes are sent after the turn, never holding it up). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

/**
 * Pairs of articles of their own, made and trained on once (training takes seconds): each
 * test takes one pair, and a question about both gets a clarification offering both.
 */
const TOPICS = 12;
const topics: Array<{ articleId: string; otherId: string; question: string }> = [];
beforeAll(async () => {
  for (let i = 0; i < TOPICS; i++) {
    const tag = unique();
    const { id } = await createArticle({ slug: `lantern-${tag}`, locale: "en", title: `Polishing the ${tag} lantern`, answer: "Use a soft cloth and brass polish.", questions: [`How do I polish the ${tag} lantern?`] });
    const other = await createArticle({ slug: `lantern-repair-${tag}`, locale: "en", title: `Repairing the ${tag} lantern`, answer: "Send it to our workshop.", questions: [`My ${tag} lantern is broken`] });
    topics.push({ articleId: id, otherId: other.id, question: `question about the ${tag} lantern` });
  }
  await warmReplica("weur");
});

/** A topic no other test uses. */
async function topic(): Promise<{ articleId: string; otherId: string; question: string }> {
  const next = topics.shift();
  if (!next) throw new Error("more tests than TOPICS");
  return next;
}

/** A reply that offers `articleId` among its suggestions, for `question`. */
async function offered(conv: Created, question: string, articleId: string, ip: string): Promise<Reply> {
  const reply = await ask(conv, question, ip);
  expect(reply.meta?.suggestions?.map((s) => s.articleId)).toContain(articleId);
  return reply;
}

describe("learning from picks and marks", { timeout: 60_000 }, () => {
  it("a pick from one client is a candidate, from a second client in another conversation it turns active", async () => {
    const { articleId, question } = await topic();
    const a = await createConversation();
    const first = await offered(a, question, articleId, "198.51.100.1");
    await ask(a, "Brass lantern polishing", "198.51.100.1", { articleId, inReplyTo: first.seq });
    const [candidate] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l.length === 1);
    expect(candidate).toMatchObject({ articleId, text: question, status: "candidate", confirmations: 1, notHelpful: 0, sources: { pick: 1 } });

    // The same client again, in a new conversation: counted once per question.
    const again = await createConversation();
    await ask(again, "Brass lantern polishing", "198.51.100.1", { articleId, inReplyTo: (await offered(again, question, articleId, "198.51.100.1")).seq });

    const b = await createConversation();
    const second = await offered(b, question, articleId, "203.0.113.7");
    await ask(b, "Brass lantern polishing", "203.0.113.7", { articleId, inReplyTo: second.seq });
    const [active] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l[0]?.status === "active");
    expect(active).toMatchObject({ status: "active", confirmations: 2, sources: { pick: 2 } });
    expect(await learned(`status=active&locale=en&articleId=${encodeURIComponent(articleId)}`)).toHaveLength(1);
  });

  it("ignores a choice the reply did not offer, and one that points at no reply", async () => {
    const { articleId, question } = await topic();
    const other = await topic();
    const conv = await createConversation();
    const reply = await offered(conv, question, articleId, "198.51.100.2");
    await ask(conv, "Brass lantern polishing", "198.51.100.2", { articleId: other.otherId, inReplyTo: reply.seq });
    await ask(conv, "Brass lantern polishing", "198.51.100.2", { articleId, inReplyTo: 999 });
    // A vote that counts, sent after the ignored ones, shows they were not recorded.
    await ask(conv, "Brass lantern polishing", "198.51.100.2", { articleId, inReplyTo: reply.seq });
    await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l.length === 1);
    expect(await learned(`articleId=${encodeURIComponent(other.otherId)}`)).toEqual([]);
  });

  it("takes a pick in a WebSocket message frame", async () => {
    const { articleId, question } = await topic();
    const conv = await createConversation();
    const socket = await SocketClient.open(conv, { headers: { "CF-Connecting-IP": "198.51.100.3" } });
    socket.send({ type: "message", text: question, clientMessageId: cid(unique()) });
    await socket.until((s) => s.messages().some((m) => m.role === "assistant"));
    const reply = socket.messages().find((m) => m.role === "assistant") as unknown as Reply;
    expect(reply.meta?.suggestions?.map((s) => s.articleId)).toContain(articleId);
    socket.send({ type: "message", text: "Brass lantern polishing", clientMessageId: cid(unique()), choice: { articleId, inReplyTo: reply.seq } });
    const [candidate] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l.length === 1);
    expect(candidate).toMatchObject({ text: question, sources: { pick: 1 } });
  });

  it("refuses a malformed choice with a 400", async () => {
    const conv = await createConversation();
    const { body, ...headers } = json({ text: "hi", clientMessageId: cid(unique()), choice: { articleId: "en:x", inReplyTo: "two" } }, { Authorization: `Bearer ${conv.token}` });
    const res = await call(`/v1/conversations/${conv.id}/messages`, { method: "POST", headers, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "validation_failed" } });
  });

  it("counts helpful and not-helpful marks on answers, per client", async () => {
    const { otherId: articleId } = await topic();
    // Its example question: answered with it, whatever the classifier thinks.
    const question = `My ${articleId.slice("en:lantern-repair-".length)} lantern is broken`;
    const answerOf = async (ip: string) => {
      const conv = await createConversation();
      const reply = await ask(conv, question, ip);
      expect(reply.meta?.citations?.[0]?.articleId).toBe(articleId);
      return { conv, reply };
    };
    const one = await answerOf("198.51.100.4");
    expect((await mark(one.conv, one.reply.seq, false, "198.51.100.4")).status).toBe(200);
    const two = await answerOf("198.51.100.5");
    expect((await mark(two.conv, two.reply.seq, false, "198.51.100.5")).status).toBe(200);
    // Two more not helpful than helpful: rejected, and a helpful mark later does not revive it.
    const [rejected] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l[0]?.notHelpful === 2);
    expect(rejected).toMatchObject({ status: "rejected", notHelpful: 2, confirmations: 0 });
  });
});

describe("agents", { timeout: 60_000 }, () => {
  /** A conversation whose customer asked the topic's question, then for a person, now with an agent. */
  async function withAgent(question: string, articleId: string) {
    const t = team();
    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const conv = await createConversation({ team: t });
    await offered(conv, question, articleId, "198.51.100.12");
    await ask(conv, "I want to talk to a human", "198.51.100.12");
    await desk.until((d) => frames(d, "assigned").some((f) => f.conversationId === conv.id));
    return { ana, conv };
  }

  it("inserting a suggested article's answer into a reply confirms it for the customer's question", async () => {
    const { articleId, question } = await topic();
    const { ana, conv } = await withAgent(question, articleId);
    const res = await agentCall(ana.token, `/conversations/${conv.id}/messages`, { method: "POST", body: { text: "Use a soft cloth and brass polish.", clientMessageId: cid(unique()), articleId } });
    expect(res.status).toBe(200);
    const [question1] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l[0]?.status === "active");
    expect(question1).toMatchObject({ text: question, status: "active", sources: { agent: 1 } });
  });

  it("closing a handed-off conversation naming the article confirms it", async () => {
    const { articleId, question } = await topic();
    const { ana, conv } = await withAgent(question, articleId);
    expect((await agentCall(ana.token, `/conversations/${conv.id}/close`, { method: "POST", body: { resolution: "resolved", articleId } })).status).toBe(200);
    const [question1] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l[0]?.status === "active");
    expect(question1).toMatchObject({ text: question, sources: { agent: 1 } });
    expect((await agentCall(ana.token, `/conversations/${conv.id}/close`, { method: "POST", body: { resolution: "resolved", articleId: "not an id" } })).status).toBe(400);
  });
});

describe("editors' API", { timeout: 60_000 }, () => {
  it("lets editors teach, approve, reject and delete; refuses other roles; replicas pull what is active", async () => {
    const { articleId } = await topic();
    const editor = await operator("Editor", "kb_editor", null);
    const viewer = await operator("Viewer", "ops_viewer", null);
    const as = (key: string, path: string, method = "GET", body?: unknown) =>
      call(`/v1/admin/kb/learned${path}`, { method, headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && { "Content-Type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });

    expect((await as(viewer.key, "")).status).toBe(403);
    expect((await as(viewer.key, "", "POST", { articleId, locale: "en", text: "my lamp is tarnished" })).status).toBe(403);

    const taught = await as(editor.key, "", "POST", { articleId, locale: "en", text: "my lamp is tarnished, mail me at ada@example.com" });
    expect(taught.status).toBe(201);
    const question = await taught.json<Learned>();
    expect(question).toMatchObject({ articleId, status: "active", sources: { editor: 1 } });
    expect(question.text).not.toContain("ada@example.com");

    const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName("weur"));
    expect((await replica.sync()).learned).toBeGreaterThan(0);
    const before = (await replica.status()).learned;

    expect((await as(editor.key, `/${question.id}/reject`, "POST")).status).toBe(200);
    expect(await learned(`articleId=${encodeURIComponent(articleId)}`)).toMatchObject([{ status: "rejected" }]);
    expect((await replica.sync()).learned).toBe(before - 1);
    expect(await (await as(ADMIN_KEY, `/${question.id}/approve`, "POST")).json()).toMatchObject({ status: "active" });

    expect((await as(editor.key, `/${question.id}`, "DELETE")).status).toBe(200);
    expect(await learned(`articleId=${encodeURIComponent(articleId)}`)).toEqual([]);
    expect((await as(editor.key, `/${question.id}`, "DELETE")).status).toBe(404);
    expect((await as(editor.key, `/${question.id}/approve`, "POST")).status).toBe(404);
    expect((await as(editor.key, "/not-an-id/approve", "POST")).status).toBe(400);
    expect((await as(editor.key, "?status=maybe")).status).toBe(400);
    expect((await as(editor.key, "", "POST", { articleId: "en:no-such-article", locale: "en", text: "hello there" })).status).toBe(404);

    const trail = await call("/v1/admin/audit?limit=200", { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    const actions = (await trail.json<{ entries: Array<{ action: string; outcome: string }> }>()).entries.map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(["kb.learned.teach:ok", "kb.learned.teach:denied", "kb.learned.reject:ok", "kb.learned.approve:ok", "kb.learned.delete:ok"]));
  });
});

describe("the gap report", { timeout: 60_000 }, () => {
  it("a gap that belongs to an existing article teaches it the gap's questions and closes the gap", async () => {
    const { articleId } = await topic();
    await warmReplica("me");
    const word = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => String.fromCharCode(97 + (b % 26))).join("");
    const conv = await conversationIn("me");
    const question = `${word} zqxv wrbl?`;
    const reply = await ask(conv, question, "198.51.100.20");
    expect(reply.meta?.decision).not.toBe("answer");
    type Gap = { id: string; examples: string[] };
    const ours = (gaps: Gap[]) => gaps.find((g) => g.examples.some((e) => e.includes(word)));
    const listed = await eventually(() => opsJson<{ gaps: Gap[] }>("/v1/admin/kb/gaps?locale=en").then((r) => r.gaps), (gaps) => ours(gaps) !== undefined);
    const gap = ours(listed)!;

    const viewer = await operator("Viewer", "ops_viewer", null);
    const refused = await call(`/v1/admin/kb/gaps/${gap.id}/belongs`, { method: "POST", headers: { Authorization: `Bearer ${viewer.key}`, "Content-Type": "application/json" }, body: JSON.stringify({ articleId }) });
    expect(refused.status).toBe(403);
    const belongs = await call(`/v1/admin/kb/gaps/${gap.id}/belongs`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" }, body: JSON.stringify({ articleId }) });
    expect(belongs.status).toBe(200);
    const body = await belongs.json<{ learned: Learned[]; closed: number }>();
    expect(body.learned.map((l) => l.text)).toContain(question);
    expect(body.learned.every((l) => l.status === "active" && l.articleId === articleId)).toBe(true);
    expect(body.closed).toBeGreaterThan(0);
    expect(ours((await opsJson<{ gaps: Gap[] }>("/v1/admin/kb/gaps?locale=en")).gaps)).toBeUndefined();
    const missing = await call(`/v1/admin/kb/gaps/${gap.id}/belongs`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" }, body: JSON.stringify({ articleId: "en:no-such-article" }) });
    expect(missing.status).toBe(404);
  });
});

describe("privacy", { timeout: 60_000 }, () => {
  it("erasing a verified customer removes the learned questions in their words", async () => {
    const { articleId, question } = await topic();
    const customerId = `cust-${unique()}`;
    const conv = await createConversation({ customer: { id: customerId }, customerSignature: await signCustomer("test-customer-signing-secret-0123", customerId) });
    const reply = await offered(conv, question, articleId, "198.51.100.8");
    await ask(conv, "Brass lantern polishing", "198.51.100.8", { articleId, inReplyTo: reply.seq });
    await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l.length === 1);

    const erased = await call(`/v1/admin/subjects/${customerId}`, { method: "DELETE", headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(erased.status).toBe(200);
    expect(await learned(`articleId=${encodeURIComponent(articleId)}`)).toEqual([]);
  });

  it("an EU conversation's pick waits in the EU until an editor approves its words", async () => {
    const { articleId, question } = await topic();
    for (const ip of ["198.51.100.9", "198.51.100.10"]) {
      const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}", cf: { country: "DE", continent: "EU", colo: "FRA" } } as RequestInit);
      const eu = await res.json<Created>();
      expect(eu.id).toMatch(/^eu-/);
      const reply = await offered(eu, question, articleId, ip);
      await ask(eu, "Brass lantern polishing", ip, { articleId, inReplyTo: reply.seq });
    }
    // Two clients confirmed it, but EU words need an editor: a candidate, held in the EU object.
    const [held] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l[0]?.confirmations === 2);
    expect(held).toMatchObject({ text: question, status: "candidate", confirmations: 2, eu: true });
    expect(held!.id).toMatch(/^lqeu_/);
    expect(await learned(`status=active&articleId=${encodeURIComponent(articleId)}`)).toEqual([]);
    const primary = testPrimary();
    expect(await primary.select().from(learnedQuestions).where(eq(learnedQuestions.articleId, articleId))).toEqual([]);

    const approved = await admin(`/learned/${held!.id}/approve`, { method: "POST" });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ articleId, text: question, status: "active", confirmations: 2 });
    const after = await learned(`articleId=${encodeURIComponent(articleId)}`);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ status: "active" });
    expect(after[0]!.id).toMatch(/^lq_/);
    expect((await admin(`/learned/${held!.id}/approve`, { method: "POST" })).status).toBe(404);
  });

  it("keeps a vote while the primary is down and sends it on the conversation's alarm", async () => {
    const { articleId, question } = await topic();
    const conv = await createConversation();
    const reply = await offered(conv, question, articleId, "198.51.100.11");
    await setFaults("primary-down");
    try {
      await ask(conv, "Brass lantern polishing", "198.51.100.11", { articleId, inReplyTo: reply.seq });
      const stub = env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id));
      await until(() => stub.learningPending(), (p) => p);
    } finally {
      await setFaults();
    }
    await breakerCoolDown();
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id));
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    const [candidate] = await until(() => learned(`articleId=${encodeURIComponent(articleId)}`), (l) => l.length === 1);
    expect(candidate).toMatchObject({ text: question, sources: { pick: 1 } });
  });
});
