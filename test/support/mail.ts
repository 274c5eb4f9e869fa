// Raw mails for the email channel's tests: a plain-text RFC 5322 message with the headers a
// test names (written here as text, the way a mail client would send it).
import type { SentMail } from "../../src/platform/mail.ts";

export interface MailSpec {
  from: string;
  fromName?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  body: string;
  headers?: Record<string, string>;
  /** Extra MIME parts: files attached to the mail. */
  attachments?: Array<{ name: string; content: string }>;
}

export const SUPPORT = "support@holdfast.test";

let counter = 0;

/** A fresh Message-ID. */
export function newMessageId(): string {
  counter++;
  return `<${Date.now().toString(36)}.${counter}.${Math.random().toString(36).slice(2)}@customer.example>`;
}

/** The raw text of a mail. */
export function rawMail(spec: MailSpec): string {
  const lines = [
    `From: ${spec.fromName ? `"${spec.fromName}" ` : ""}<${spec.from}>`,
    `To: ${spec.to ?? SUPPORT}`,
    `Subject: ${spec.subject ?? "Question"}`,
    "Date: Mon, 7 Dec 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
  ];
  if (spec.messageId !== null) lines.push(`Message-ID: ${spec.messageId ?? newMessageId()}`);
  if (spec.inReplyTo) lines.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.references?.length) lines.push(`References: ${spec.references.join(" ")}`);
  for (const [name, value] of Object.entries(spec.headers ?? {})) lines.push(`${name}: ${value}`);
  if (!spec.attachments?.length) return [...lines, "Content-Type: text/plain; charset=utf-8", "", spec.body, ""].join("\r\n");
  const boundary = "holdfast-test-boundary";
  const parts = [`--${boundary}`, "Content-Type: text/plain; charset=utf-8", "", spec.body];
  for (const a of spec.attachments) {
    parts.push(`--${boundary}`, `Content-Type: application/octet-stream; name="${a.name}"`, `Content-Disposition: attachment; filename="${a.name}"`, "Content-Transfer-Encoding: base64", "", btoa(a.content));
  }
  parts.push(`--${boundary}--`, "");
  return [...lines, `Content-Type: multipart/mixed; boundary="${boundary}"`, "", ...parts].join("\r\n");
}

/** One item of GET /v1/dev/email/outbox. */
export type SentItem = SentMail;
