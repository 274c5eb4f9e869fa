// The email channel in workerd: mail in through the email() handler, the bot's answer out
// through the send_email binding (simulated by Miniflare), threading, duplicates, loops,
// malformed MIME, limits, attachments, agents' replies and the outbox across a restart.
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { idDigest, replyToken } from "../../src/email/thread-keys.ts";
import { messageKey } from "../../src/email/threading.ts";
import { createConversationAddress } from "../../src/platform/conversations.ts";
import { conversationById } from "../../src/platform/desks.ts";
import { findThreads } from "../../src/platform/mail.ts";
import { newMessageId, rawMail } from "../support/mail.ts";
import { agent, agentCall, openConsole, team } from "./agent-helpers.ts";
import { customer, deliver, mailTo, waitForMail } from "./email-helpers.ts";
import { call, createConversation, send, setFaults, unique, warmReplica } from "./helpers.ts";

const SECRET = "test-secret-0123456789abcdef";

function conversation(id: string) {
  const stub = conversationById(env, id, false);
  if (!stub) throw new Error(`not a conversation id: ${id}`);
  return stub;
}

async function customerMessages(id: string) {
  const view = await conversation(id).agentView(0, 200);
  if (!view.ok) throw new Error(view.code);
  return { view: view.value, customer: view.value.messages.filter((m) => m.role === "customer") };
}

beforeAll(() => warmReplica("weur"));

describe("a new mail", () => {
  it("is answered by mail, threaded to it, with the article's source and a Re: subject", async () => {
    const from = customer();
    const messageId = newMessageId();
    expect(await deliver({ from, fromName: "Ana Lima", subject: "Password", messageId, body: "How do I reset my password?\n\nThanks,\nAna\n-- \nAna Lima, Lisbon" })).toBeNull();
    const [mail] = await waitForMail(from, 1);
    expect(mail).toMatchObject({ subject: "Re: Password", inReplyTo: messageId, references: [messageId], from: "support@holdfast.test" });
    expect(mail!.text).toMatch(/Source: /);
    expect(mail!.messageId).toMatch(/^<.+@.+>$/);
    const { view, customer: asked } = await customerMessages(mail!.conversationId);
    expect(view.conversation).toMatchObject({ channel: "email", subject: "Password", customer: { email: from, name: "Ana Lima" } });
    // The signature is not part of the question.
    expect(asked.map((m) => m.text)).toEqual(["How do I reset my password?\n\nThanks,\nAna"]);
  });

  it("delivered twice (same Message-ID) is stored and answered once", async () => {
    const from = customer();
    const raw = rawMail({ from, subject: "Refunds", body: "How long does a refund take?" });
    expect(await deliver(raw, { from })).toBeNull();
    expect(await deliver(raw, { from })).toBeNull();
    const sent = await waitForMail(from, 1);
    // The second delivery is settled before this read: a second answer would be here by now.
    expect(await deliver(raw, { from })).toBeNull();
    expect(await mailTo(from)).toHaveLength(1);
    expect((await customerMessages(sent[0]!.conversationId)).customer).toHaveLength(1);
  });

  it("names its attachments (not kept) and the answer tells the customer", async () => {
    const from = customer();
    await deliver({ from, subject: "Broken item", body: "My parcel arrived damaged, photo attached.", attachments: [{ name: "photo.jpg", content: "x".repeat(3000) }] });
    const [mail] = await waitForMail(from, 1);
    expect(mail!.text).toContain("photo.jpg (3 KB)");
    const { customer: asked } = await customerMessages(mail!.conversationId);
    expect(asked[0]!.attachments).toEqual([{ name: "photo.jpg", size: 3000 }]);
  });
});

describe("a reply", () => {
  it("joins its conversation by In-Reply-To, without the quoted history", async () => {
    const from = customer();
    const first = newMessageId();
    await deliver({ from, subject: "Delivery", messageId: first, body: "How long does shipping take?" });
    const [answer] = await waitForMail(from, 1);
    const body = `And can I change the delivery address?\n\nOn Mon, 7 Dec 2026 at 10:01, Holdfast Support <support@holdfast.test> wrote:\n> ${answer!.text.split("\n")[0]}`;
    await deliver({ from, subject: "Re: Delivery", inReplyTo: answer!.messageId, references: [first, answer!.messageId], body });
    const sent = await waitForMail(from, 2);
    expect(sent[1]!.conversationId).toBe(answer!.conversationId);
    expect(sent[1]!.inReplyTo).not.toBe(first);
    expect(sent[1]!.references.slice(0, 2)).toEqual([first, answer!.messageId]);
    const { customer: asked } = await customerMessages(answer!.conversationId);
    expect(asked.map((m) => m.text)).toEqual(["How long does shipping take?", "And can I change the delivery address?"]);
  });

  it("joins its conversation by its reply+<token>@ address when the client dropped the headers", async () => {
    const from = customer();
    await deliver({ from, subject: "Returns", body: "How do I return an item?" });
    const [answer] = await waitForMail(from, 1);
    const to = `reply+${await replyToken(SECRET, answer!.conversationId)}@holdfast.test`;
    await deliver({ from, to, subject: "Returns again", body: "What about gift returns?" });
    const sent = await waitForMail(from, 2);
    expect(sent[1]!.conversationId).toBe(answer!.conversationId);
  });

  it("to a reply address that is not one of ours starts nothing", async () => {
    const from = customer();
    expect(await deliver({ from, to: "reply+aaaaaaaaaaaaaaaaaaaaaaaa@holdfast.test", body: "Where is my order?" })).toBeNull();
    const [answer] = await waitForMail(from, 1);
    // Unknown token: a new conversation, not someone else's.
    const { customer: asked } = await customerMessages(answer!.conversationId);
    expect(asked).toHaveLength(1);
    expect(await deliver({ from, to: "someone-else@holdfast.test", body: "Hi" })).toBe("No such mailbox here.");
  });
});

describe("mail that is never answered", () => {
  const cases: Array<[string, (from: string) => Parameters<typeof deliver>]> = [
    ["an auto-reply (Auto-Submitted)", (from) => [{ from, body: "I am out of office", headers: { "Auto-Submitted": "auto-replied" } }]],
    ["bulk mail (Precedence: bulk)", (from) => [{ from, body: "Our newsletter", headers: { Precedence: "bulk" } }]],
    ["list mail (List-Id)", (from) => [{ from, body: "List post", headers: { "List-Id": "<news.customer.example>" } }]],
    ["a bounce (null sender)", (from) => [{ from, body: "Delivery failed" }, { from: "" }]],
    ["a bounce (MAILER-DAEMON)", () => [{ from: "MAILER-DAEMON@customer.example", body: "Delivery failed" }]],
    ["mail from our own address", () => [{ from: "support@holdfast.test", body: "How do I reset my password?" }]],
  ];
  for (const [name, make] of cases) {
    it(`${name} is accepted and neither stored nor answered`, async () => {
      const from = customer();
      const [spec, envelope] = make(from);
      const before = (await mailTo("support@holdfast.test")).length;
      expect(await deliver(spec, envelope)).toBeNull();
      // A normal mail from the same sender afterwards is answered: the one above was not.
      await deliver({ from, body: "How do I reset my password?" });
      const sent = await waitForMail(from, 1);
      expect(sent).toHaveLength(1);
      expect((await customerMessages(sent[0]!.conversationId)).customer).toHaveLength(1);
      expect(await mailTo("support@holdfast.test")).toHaveLength(before);
    });
  }
});

describe("bad mail", () => {
  it("malformed MIME is refused, never crashes the handler", async () => {
    const from = customer();
    const nested = Array.from({ length: 300 }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join("");
    const deep = `From: <${from}>\r\nTo: support@holdfast.test\r\nSubject: deep\r\n${nested}`;
    expect(await deliver(deep, { from })).toBe("The message could not be read.");
    expect(await deliver("\u0000\u0001garbage without headers\u00ff", { from })).toBe("The message could not be read.");
    expect(await deliver(`To: support@holdfast.test\r\nSubject: no sender\r\n\r\nHello`, { from })).toBe("The message could not be read.");
    expect(await mailTo(from)).toHaveLength(0);
  });

  it("a sender over its limit is refused, without being answered", async () => {
    const from = customer();
    // RATE_LIMIT_EMAIL_SENDER is 20 an hour; auto-replies count too (a loop is a flood).
    for (let i = 0; i < 20; i++) expect(await deliver({ from, body: `auto ${i}`, headers: { "Auto-Submitted": "auto-replied" } })).toBeNull();
    expect(await deliver({ from, body: "How do I reset my password?" })).toBe("Too many messages from this sender; please try again later.");
    expect(await mailTo(from)).toHaveLength(0);
  });
});

describe("the outbox", () => {
  it("sends a reply stored while mail was down exactly once, after a restart", async () => {
    const from = customer();
    const messageId = newMessageId();
    await setFaults("mail-down");
    let stub;
    try {
      await deliver({ from, messageId, body: "How do I reset my password?" });
      stub = conversation(await conversationOfMail(messageId));
      // The reply is stored and its send has failed (and is waiting for a retry).
      await until(() => runInDurableObject(stub!, (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM mail_out WHERE sent_at IS NULL AND attempts > 0").one().n === 1));
    } finally {
      await setFaults();
    }
    expect(await mailTo(from)).toHaveLength(0);
    // The object restarts; by the time its alarm runs, the retry is due.
    await evictDurableObject(stub);
    await runInDurableObject(stub, (_o, state) => void state.storage.sql.exec("UPDATE mail_out SET next_at = 0 WHERE sent_at IS NULL"));
    await runDurableObjectAlarm(stub);
    await waitForMail(from, 1);
    await runDurableObjectAlarm(stub);
    await stub.agentView(0, 1);
    expect(await mailTo(from)).toHaveLength(1);
  });
});

describe("agents", () => {
  it("an agent's reply to an email conversation goes out by mail, threaded, under the agent's name", async () => {
    const ana = await agent(`Ana ${unique()}`, "support");
    const desk = await openConsole(ana, { status: "online", capacity: 20 });
    const from = customer();
    const messageId = newMessageId();
    await deliver({ from, subject: "Need help", messageId, body: "I want to talk to a human" });
    const [ack] = await waitForMail(from, 1);
    expect(ack!.text).toContain("passed it to our support team");
    const conversationId = ack!.conversationId;
    await desk.until((s) => s.frames.some((f) => f.type === "assigned" && f.conversationId === conversationId));
    const res = await agentCall(ana.token, `/conversations/${conversationId}/messages`, { method: "POST", body: { text: "Hello, I can help with that.", clientMessageId: `agent-${unique()}` } });
    expect(res.status).toBe(200);
    const sent = await waitForMail(from, 2);
    expect(sent[1]).toMatchObject({ subject: "Re: Need help", inReplyTo: ack!.messageId });
    expect(sent[1]!.references).toEqual([messageId, ack!.messageId]);
    expect(sent[1]!.text).toContain("Hello, I can help with that.");
    expect(sent[1]!.text).toContain(ana.name);
    desk.ws.close();
  });

  it("a message left from the chat is answered by mail, by any agent of the team", async () => {
    const teamName = team();
    const address = customer();
    const conv = await createConversation({ team: teamName });
    await send(conv, "I want to talk to a human", `human-${unique()}`);
    const left = await call(`/v1/conversations/${conv.id}/offline-message`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` },
      body: JSON.stringify({ email: address, text: "My order 123 never arrived.\nPlease help.", clientMessageId: `left-${unique()}` }),
    });
    expect(left.status).toBe(200);
    const kim = await agent(`Kim ${unique()}`, teamName);
    const desk = await openConsole(kim, { status: "online" });
    const res = await agentCall(kim.token, `/conversations/${conv.id}/messages`, { method: "POST", body: { text: "We have sent a replacement.", clientMessageId: `agent-${unique()}` } });
    expect(res.status).toBe(200);
    const [mail] = await waitForMail(address, 1);
    expect(mail).toMatchObject({ subject: "Re: My order 123 never arrived.", conversationId: conv.id, inReplyTo: null });
    expect(mail!.text).toContain("We have sent a replacement.");
    // The customer answers the mail: it joins the chat's conversation, and the bot answers by mail.
    await deliver({ from: address, subject: "Re: My order 123 never arrived.", inReplyTo: mail!.messageId, body: "Thanks! And how do I reset my password?" });
    const sent = await waitForMail(address, 2);
    expect(sent[1]).toMatchObject({ conversationId: conv.id, inReplyTo: expect.stringMatching(/^<.+>$/) });
    expect(sent[1]!.text).toMatch(/Source: /);
    desk.ws.close();
  });

  it("a mail no agent can take now is left for the team as a ticket", async () => {
    const from = customer();
    const teamName = team();
    // The email team has agents in other tests: this mail goes to a conversation of a team of its own.
    const id = await startMail(from, teamName);
    const view = await conversation(id).agentView(0, 10);
    expect(view.ok && view.value.conversation.ticket?.email).toBe(from);
    const kim = await agent(`Kim ${unique()}`, teamName);
    const desk = await openConsole(kim);
    await desk.until((d) => d.frames.some((f) => f.type === "tickets"));
    const tickets = desk.frames.find((f) => f.type === "tickets") as unknown as { tickets: Array<{ conversationId: string }> };
    expect(tickets.tickets.map((t) => t.conversationId)).toContain(id);
    const [ack] = await waitForMail(from, 1);
    expect(ack!.text).toContain("passed it to our support team");
    desk.ws.close();
  });
});

/** Waits until `check` holds (checked every 20 ms, for up to 10 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; !(await check()); ) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The conversation a mail went to, found through the thread map by its Message-ID. */
async function conversationOfMail(messageId: string): Promise<string> {
  const found = await findThreads(env, [messageKey(await idDigest(SECRET, messageId))]);
  const id = [...found.values()][0];
  if (!id) throw new Error("no conversation for that mail");
  return id;
}

/** A mail straight into a new conversation of a team of its own (the email team is shared by the tests). */
async function startMail(from: string, teamName: string): Promise<string> {
  const id = createConversationAddress(env, null, false).id;
  const outcome = await conversation(id).receiveMail({
    create: { id, locale: "en", region: "weur", jurisdiction: null, customer: { email: from }, team: teamName, channel: "email", mailSubject: "Help" },
    clientMessageId: `email-${unique()}${unique()}`,
    text: "I want to talk to a human",
    messageId: newMessageId(),
    references: [],
    attachments: [],
  });
  if (!outcome.ok) throw new Error(outcome.code);
  return id;
}
