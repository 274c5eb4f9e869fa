// The email channel through a real `wrangler dev`: raw MIME posted to its local email
// endpoint (/cdn-cgi/handler/email, as Email Routing would deliver it), the send_email
// binding simulated by wrangler, and what was sent read back from the development outbox.
// An agent answers over the desk's WebSocket with `ws`, as a console would.
import { describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { newMessageId, rawMail, SUPPORT, type MailSpec, type SentItem } from "../support/mail.ts";
import { ADMIN_KEY } from "./api.ts";

const baseUrl = inject("baseUrl");
const keys = inject("agentKeys");

/** Posts a raw mail to wrangler's local email endpoint; resolves with its HTTP status and text. */
async function post(spec: MailSpec | string, from: string, to = SUPPORT): Promise<{ status: number; text: string }> {
  const url = `${baseUrl}/cdn-cgi/handler/email?${new URLSearchParams({ from, to })}`;
  const res = await fetch(url, { method: "POST", body: typeof spec === "string" ? spec : rawMail(spec) });
  return { status: res.status, text: await res.text() };
}

async function sentTo(address: string): Promise<SentItem[]> {
  const res = await fetch(`${baseUrl}/v1/dev/email/outbox`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: SentItem[] }).items.filter((m) => m.to === address);
}

async function waitForMail(address: string, count: number): Promise<SentItem[]> {
  for (const end = Date.now() + 20_000; ; ) {
    const sent = await sentTo(address);
    if (sent.length >= count || Date.now() > end) return sent;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const customer = () => `e2e-${Math.random().toString(36).slice(2, 10)}@customer.example`;

describe("email through wrangler dev", () => {
  it("answers raw MIME by mail, threaded, and a reply joins the conversation", async () => {
    const from = customer();
    const first = newMessageId();
    const delivered = await post({ from, fromName: "Ana", subject: "Password help", messageId: first, body: "How do I reset my password?\n\n-- \nAna" }, from);
    expect(delivered.status).toBeLessThan(300);
    const [answer] = await waitForMail(from, 1);
    expect(answer).toMatchObject({ subject: "Re: Password help", inReplyTo: first, from: SUPPORT });
    expect(answer!.text).toMatch(/Source: /);
    await post({ from, subject: "Re: Password help", inReplyTo: answer!.messageId, references: [first, answer!.messageId], body: `How long does a refund take?\n\nOn Mon, 7 Dec 2026, Support <${SUPPORT}> wrote:\n> ${answer!.text.split("\n")[0]}` }, from);
    const sent = await waitForMail(from, 2);
    expect(sent[1]!.conversationId).toBe(answer!.conversationId);
    expect(sent[1]!.references).toEqual([first, answer!.messageId, sent[1]!.inReplyTo]);
  });

  it("stores and answers a mail delivered twice once", async () => {
    const from = customer();
    const raw = rawMail({ from, subject: "Shipping", body: "How long does shipping take?" });
    await post(raw, from);
    await post(raw, from);
    await waitForMail(from, 1);
    // A third delivery, settled after the others: any second answer would be sent by now.
    await post(raw, from);
    await post({ from, subject: "Other", body: "How do I reset my password?" }, from);
    const sent = await waitForMail(from, 2);
    expect(sent.filter((m) => m.subject === "Re: Shipping")).toHaveLength(1);
  });

  it("never answers auto-replies, bulk mail or bounces, and survives malformed MIME", async () => {
    const from = customer();
    await post({ from, body: "Out of office", headers: { "Auto-Submitted": "auto-replied" } }, from);
    await post({ from, body: "Newsletter", headers: { Precedence: "bulk" } }, from);
    await post({ from: "MAILER-DAEMON@customer.example", body: "Undeliverable" }, "MAILER-DAEMON@customer.example");
    const nested = Array.from({ length: 300 }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join("");
    const malformed = await post(`From: <${from}>\r\nTo: ${SUPPORT}\r\nSubject: deep\r\n${nested}`, from);
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    // The Worker is still there, and answers the next mail (only that one).
    await post({ from, body: "How do I reset my password?" }, from);
    const sent = await waitForMail(from, 1);
    expect(sent).toHaveLength(1);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  });

  it("sends an agent's reply by mail, once, threaded to the customer's mail", async () => {
    const from = customer();
    const messageId = newMessageId();
    const session = await fetch(`${baseUrl}/v1/agent/session`, { method: "POST", headers: { Authorization: `Bearer ${keys.en}` } });
    const { token } = (await session.json()) as { token: string };
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/agent/ws`, ["holdfast.agent.v1", `holdfast.auth.${token}`]);
    const frames: Array<Record<string, unknown>> = [];
    ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once("open", resolve));
    const seen = async (match: (f: Record<string, unknown>) => boolean) => {
      for (const end = Date.now() + 20_000; !frames.some(match); ) {
        if (Date.now() > end) throw new Error("timed out waiting for a desk frame");
        await new Promise((r) => setTimeout(r, 50));
      }
      return frames.find(match)!;
    };
    // Room for what earlier files left waiting in the shared stack's queue (they are assigned
    // first, being older), and online before the mail arrives (else it is left as a ticket).
    ws.send(JSON.stringify({ type: "presence", status: "online", capacity: 20 }));
    await seen((f) => f.type === "presence" && f.status === "online" && f.capacity === 20);
    await post({ from, subject: "Order 42", messageId, body: "I want to talk to a human about my order" }, from);
    const [ack] = await waitForMail(from, 1);
    const conversationId = ack!.conversationId;
    await seen((f) => f.type === "assigned" && f.conversationId === conversationId);
    const clientMessageId = `e2e-agent-${Date.now()}`;
    const reply = { type: "message", conversationId, text: "Your order ships tomorrow.", clientMessageId };
    ws.send(JSON.stringify(reply));
    await seen((f) => f.type === "ack" && f.clientMessageId === clientMessageId);
    // A console that retries (the same clientMessageId) does not send the mail again.
    ws.send(JSON.stringify(reply));
    await seen((f) => f.type === "ack" && f.clientMessageId === clientMessageId && f.duplicate === true);
    const sent = await waitForMail(from, 2);
    expect(sent[1]).toMatchObject({ subject: "Re: Order 42", inReplyTo: ack!.messageId, references: [messageId, ack!.messageId] });
    expect(sent[1]!.text).toContain("Your order ships tomorrow.");
    ws.send(JSON.stringify({ type: "close", conversationId, resolution: "resolved" }));
    await seen((f) => f.type === "unassigned" && f.conversationId === conversationId);
    expect(await sentTo(from)).toHaveLength(2);
    ws.close();
  });
});
