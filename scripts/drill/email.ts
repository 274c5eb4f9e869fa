// The handoff drill's email customer: one conversation that arrives by mail (raw MIME posted to
// wrangler's local email endpoint, as Email Routing would deliver it, retried until accepted
// the way a sending mail server retries) and asks for a person. Agents answer it like the
// chat conversations; each of their acknowledged replies must leave by mail exactly once,
// also when the server is killed between storing a reply and sending it.

export interface MailCounts {
  /** Agent replies in the email conversation that were acknowledged, and what the outbox shows of them. */
  mailReplies: number;
  /** Of them, acknowledged before the kill but not sent by then (stored, waiting in the outbox). */
  mailUnsentAtKill: number;
  mailLost: number;
  mailDuplicated: number;
}

interface Sent {
  to: string;
  text: string;
  conversationId: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mails the support address until the Worker accepts it; resolves with the conversation it started. */
export async function mailCustomer(base: string, adminKey: string, address: string): Promise<string> {
  const raw = [`From: "Drill" <${address}>`, "To: support@holdfast.test", "Subject: Drill by mail", `Message-ID: <drill-${Date.now()}@customer.example>`, "Content-Type: text/plain; charset=utf-8", "", "I want to talk to a human", ""].join("\r\n");
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/cdn-cgi/handler/email?${new URLSearchParams({ from: address, to: "support@holdfast.test" })}`, { method: "POST", body: raw }).catch(() => null);
    if (res && res.status < 300) break;
    await pause(Math.min(1_000, 100 * 2 ** attempt));
  }
  for (;;) {
    const sent = (await outbox(base, adminKey)).find((m) => m.to === address);
    if (sent) return sent.conversationId;
    await pause(100);
  }
}

/** Turns a dev fault on or off (the mail-down fault keeps replies stored but unsent until the kill). */
export async function mailDown(base: string, adminKey: string, on: boolean): Promise<void> {
  const res = await fetch(`${base}/v1/admin/faults`, on ? { method: "PUT", headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ faults: ["mail-down"] }) } : { method: "DELETE", headers: { Authorization: `Bearer ${adminKey}` } });
  if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

/** The texts of the mail sent in a conversation so far. */
export async function mailTexts(base: string, adminKey: string, conversationId: string): Promise<string[]> {
  return (await outbox(base, adminKey)).filter((m) => m.conversationId === conversationId).map((m) => m.text);
}

/**
 * Each acknowledged agent reply in the email conversation went out by mail once (waiting up to
 * `graceMs` for retries). `atKill`: the replies acknowledged before the kill, and the mail sent by then.
 */
export async function verifyMail(base: string, adminKey: string, conversationId: string, replies: string[], atKill: { replies: string[]; sent: string[] }, graceMs = 30_000): Promise<MailCounts> {
  const mailUnsentAtKill = atKill.replies.filter((text) => !atKill.sent.some((m) => m.includes(text))).length;
  const count = async () => {
    const sent = await mailTexts(base, adminKey, conversationId);
    const copies = replies.map((text) => sent.filter((m) => m.includes(text)).length);
    return { mailReplies: replies.length, mailUnsentAtKill, mailLost: copies.filter((n) => n === 0).length, mailDuplicated: copies.reduce((sum, n) => sum + Math.max(0, n - 1), 0) };
  };
  // Replies stored while mail was down go on the outbox's retries: wait for them, never past the grace.
  for (const end = Date.now() + graceMs; ; ) {
    const counts = await count();
    if (counts.mailLost === 0 || Date.now() > end) return counts;
    await pause(500);
  }
}

async function outbox(base: string, adminKey: string): Promise<Sent[]> {
  const res = await fetch(`${base}/v1/dev/email/outbox`, { headers: { Authorization: `Bearer ${adminKey}` } });
  if (res.status !== 200) throw new Error(`outbox: ${res.status}`);
  return ((await res.json()) as { items: Sent[] }).items;
}
