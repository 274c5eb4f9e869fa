import { describe, expect, it } from "vitest";
import type { EmailConfig } from "../../src/config.ts";
import { takeMail, type Delivery, type Envelope, type IntakePorts } from "../../src/email/intake.ts";
import { rawMail, type MailSpec } from "../support/mail.ts";

const config: EmailConfig = { supportAddress: "support@holdfast.test", domain: "holdfast.test", fromName: "Support", team: "support", maxBytes: 100_000, region: "weur", jurisdiction: "eu", idleSeconds: 600 };

/** The intake's ports over memory: a thread map, conversations that store each clientMessageId once, limits that say no past `limit`. */
function memory(limit = Infinity) {
  const threads = new Map<string, string>();
  const stored = new Map<string, Delivery[]>();
  const counts = new Map<string, number>();
  let next = 0;
  const ports: IntakePorts = {
    admit: async (kind, value) => {
      const n = (counts.get(`${kind}:${value}`) ?? 0) + 1;
      counts.set(`${kind}:${value}`, n);
      return n <= limit;
    },
    digest: async (id) => `d${[...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(32, "0")}`,
    contentDigest: async (raw) => String(raw.byteLength),
    find: async (keys) => new Map(keys.filter((k) => threads.has(k)).map((k) => [k, threads.get(k)!])),
    claim: async (key, id) => {
      if (!threads.has(key)) threads.set(key, id);
      return threads.get(key)!;
    },
    tokenOf: async () => false,
    newConversationId: () => `eu-${String(++next).padStart(64, "0")}`,
    deliver: async (id, d) => {
      const list = stored.get(id) ?? [];
      if (!list.length && !d.create) return { ok: false, code: "conversation_not_found" };
      const duplicate = list.some((x) => x.clientMessageId === d.clientMessageId);
      if (!duplicate) list.push(d);
      stored.set(id, list);
      return { ok: true, value: { seq: list.length, duplicate } };
    },
  };
  return { ports, stored, threads };
}

function envelope(spec: MailSpec | string, over: Partial<Envelope> = {}): Envelope {
  const raw = typeof spec === "string" ? spec : rawMail(spec);
  const bytes = new TextEncoder().encode(raw);
  return { from: typeof spec === "string" ? "x@customer.example" : spec.from, to: "support@holdfast.test", rawSize: bytes.byteLength, headers: new Headers(typeof spec === "string" ? {} : spec.headers), raw: async () => bytes.buffer as ArrayBuffer, ...over };
}

describe("taking in a mail", () => {
  it("starts a conversation in the email jurisdiction, with the channel, subject, sender and a locale from its language", async () => {
    const { ports, stored } = memory();
    const result = await takeMail(envelope({ from: "ana@customer.example", fromName: "Ana", subject: "退款", body: "我的退款什么时候到账？" }), config, ports);
    expect(result).toMatchObject({ kind: "delivered", thread: "new", duplicate: false });
    const [delivery] = [...stored.values()][0]!;
    expect(delivery!.create).toMatchObject({ channel: "email", mailSubject: "退款", customer: { email: "ana@customer.example", name: "Ana" }, jurisdiction: "eu", locale: "zh-CN", team: "support" });
    expect(delivery!.clientMessageId).toMatch(/^email-[0-9a-f]{32}$/);
  });

  it("a second delivery of the same mail goes to the same conversation, stored once", async () => {
    const { ports, stored } = memory();
    const spec = { from: "ana@customer.example", messageId: "<m1@customer.example>", body: "Where is my order?" };
    const first = await takeMail(envelope(spec), config, ports);
    const second = await takeMail(envelope(spec), config, ports);
    expect(second).toMatchObject({ kind: "delivered", thread: "seen", duplicate: true, conversationId: first.kind === "delivered" ? first.conversationId : "" });
    expect([...stored.values()].flat()).toHaveLength(1);
  });

  it("a mail without a Message-ID is recognised by its content", async () => {
    const { ports } = memory();
    const spec = { from: "ana@customer.example", messageId: null, body: "Where is my order?" };
    await takeMail(envelope(spec), config, ports);
    expect(await takeMail(envelope(spec), config, ports)).toMatchObject({ thread: "seen", duplicate: true });
  });

  it("a reply naming a mail of the conversation joins it", async () => {
    const { ports, stored } = memory();
    await takeMail(envelope({ from: "ana@customer.example", messageId: "<m1@customer.example>", body: "Where is my order?" }), config, ports);
    const reply = await takeMail(envelope({ from: "ana@customer.example", inReplyTo: "<m1@customer.example>", body: "Any news?" }), config, ports);
    expect(reply).toMatchObject({ kind: "delivered", thread: "join" });
    expect(stored.size).toBe(1);
  });

  it("refuses mail for other mailboxes, too large, malformed, or over a sender's limit", async () => {
    const { ports } = memory(1);
    const spec = { from: "ana@customer.example", body: "Hello" };
    expect(await takeMail(envelope(spec, { to: "sales@holdfast.test" }), config, ports)).toEqual({ kind: "rejected", reason: "unknown_recipient" });
    expect(await takeMail(envelope(spec, { rawSize: 100_001 }), config, ports)).toEqual({ kind: "rejected", reason: "too_large" });
    expect(await takeMail(envelope("Subject: no From\r\n\r\nHello", { from: "bob@other.example" }), config, ports)).toEqual({ kind: "rejected", reason: "malformed" });
    expect(await takeMail(envelope(spec), config, ports)).toMatchObject({ kind: "delivered" });
    expect(await takeMail(envelope(spec), config, ports)).toEqual({ kind: "rejected", reason: "rate_limited" });
  });

  it("counts the sender's domain too", async () => {
    const { ports } = memory(1);
    await takeMail(envelope({ from: "ana@customer.example", body: "Hello" }), config, ports);
    expect(await takeMail(envelope({ from: "bob@customer.example", body: "Hello" }), config, ports)).toEqual({ kind: "rejected", reason: "rate_limited" });
  });

  it("drops automatic mail and empty mail without a conversation", async () => {
    const { ports, stored } = memory();
    expect(await takeMail(envelope({ from: "ana@customer.example", body: "Away", headers: { "Auto-Submitted": "auto-replied" } }), config, ports)).toEqual({ kind: "dropped", reason: "auto_submitted" });
    expect(await takeMail(envelope({ from: "ana@customer.example", subject: "", body: "> only a quote" }), config, ports)).toEqual({ kind: "dropped", reason: "empty" });
    expect(stored.size).toBe(0);
  });
});
