// Mail into the Worker's email() handler in workerd, as Email Routing would hand it over (a
// message object around raw MIME), and the development outbox that records what was sent.
import { env } from "cloudflare:workers";
import PostalMime from "postal-mime";
import worker from "../../src/index.ts";
import { rawMail, SUPPORT, type MailSpec, type SentItem } from "../support/mail.ts";
import { ADMIN_KEY, call } from "./helpers.ts";

/** Delivers a mail; resolves with the reason it was refused, or null when it was accepted. */
export async function deliver(spec: MailSpec | string, envelope: { from?: string; to?: string } = {}): Promise<string | null> {
  const raw = typeof spec === "string" ? spec : rawMail(spec);
  const bytes = new TextEncoder().encode(raw);
  const parsed = await PostalMime.parse(bytes).catch(() => ({ headers: [] as Array<{ key: string; value: string }> }));
  const headers = new Headers();
  for (const h of parsed.headers) {
    try {
      headers.append(h.key, h.value);
    } catch {
      // A header value Headers cannot hold: Email Routing would not pass it either.
    }
  }
  let rejected: string | null = null;
  const message = {
    from: envelope.from ?? (typeof spec === "string" ? "someone@customer.example" : spec.from),
    to: envelope.to ?? (typeof spec === "string" ? SUPPORT : (spec.to ?? SUPPORT)),
    headers,
    raw: new Response(bytes).body!,
    rawSize: bytes.byteLength,
    canBeForwarded: false,
    setReject(reason: string) {
      rejected = reason;
    },
    forward: () => Promise.reject(new Error("not forwarded in tests")),
    reply: () => Promise.reject(new Error("not replied in tests")),
  } as unknown as ForwardableEmailMessage;
  await worker.email(message, env);
  return rejected;
}

/** Everything sent so far (development outbox). */
export async function outbox(): Promise<SentItem[]> {
  const res = await call("/v1/dev/email/outbox", { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
  if (res.status !== 200) throw new Error(`outbox: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: SentItem[] }).items;
}

/** Mail sent to an address, oldest first. */
export async function mailTo(address: string): Promise<SentItem[]> {
  return (await outbox()).filter((m) => m.to === address);
}

/** Waits until `count` mails have gone to an address (sending happens after the turn). */
export async function waitForMail(address: string, count: number, timeoutMs = 10_000): Promise<SentItem[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const sent = await mailTo(address);
    if (sent.length >= count || Date.now() > until) return sent;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh customer address. */
export const customer = () => `c-${crypto.randomUUID().slice(0, 8)}@customer.example`;
