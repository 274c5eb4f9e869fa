// One outgoing mail, composed from a stored reply (the bot's or an agent's) and where the
// conversation's mail thread stands: the customer's address, a "Re:" subject, In-Reply-To and
// References so that clients thread it, our reply+<token>@ address as Reply-To, the article's
// source for the bot's answers, a note about attachments we did not keep, and a footer. The
// Message-ID is not ours to set: Cloudflare's email service assigns it (its reply says which).
import type { Message } from "../conversation/types.ts";
import { REFERENCES_MAX } from "./address.ts";
import type { AttachmentNote } from "./inbound.ts";
import { attachmentList, mailTexts, type MailLanguage } from "./texts.ts";

/** Where the conversation's mail thread stands when a reply goes out. */
export interface MailThread {
  conversationId: string;
  to: { address: string; name?: string };
  from: { address: string; name: string };
  /** The conversation's reply+<token>@ address. */
  replyTo: string;
  /** The conversation's subject (the first mail's, or the left message's), without "Re:". */
  subject: string;
  language: MailLanguage;
  /** The newest Message-ID in the thread (the customer's latest mail, else our latest), if any. */
  inReplyTo: string | null;
  /** Message-IDs of the thread, oldest first. */
  references: string[];
  /** Attachments of the customer's latest mail, when no mail has answered it yet. */
  attachments: AttachmentNote[];
}

/** What the send_email binding is given (its `EmailMessageBuilder`, as plain data). */
export interface OutgoingMail {
  from: { email: string; name: string };
  to: { email: string; name?: string };
  replyTo: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** The header that names the outbox row a mail was sent for (seen again if a mail were ever resent). */
export const OUTBOX_HEADER = "X-Holdfast-Outbox-Id";

/** A subject with one "Re: " in front (an existing Re:/RE:/Aw:/回复: is kept). */
export function replySubject(subject: string, language: MailLanguage): string {
  const base = subject.trim() || mailTexts(language).noSubject;
  return /^(re|aw|sv|回复|答复)\s?[:：]/i.test(base) ? base : `Re: ${base}`;
}

/** The id of the outbox row of the reply at `seq`. */
export function outboxId(conversationId: string, seq: number): string {
  return `${conversationId}/${seq}`;
}

/** The mail for a stored reply. */
export function composeMail(thread: MailThread, reply: Message): OutgoingMail {
  const t = mailTexts(thread.language);
  const parts = [reply.text.trim()];
  if (reply.role === "assistant") {
    const sources = (reply.meta?.citations ?? []).map((c) => t.source(c.title));
    if (sources.length) parts.push(sources.join("\n"));
  }
  if (reply.role === "agent" && reply.agent?.name) parts.push(`${reply.agent.name}, ${thread.from.name}`);
  if (thread.attachments.length) parts.push(t.attachments(attachmentList(thread.attachments)));
  parts.push(`-- \n${t.footer}`);
  const headers: Record<string, string> = { "Content-Language": thread.language === "zh" ? "zh-CN" : "en", [OUTBOX_HEADER]: outboxId(thread.conversationId, reply.seq) };
  const references = thread.references.slice(-REFERENCES_MAX);
  if (thread.inReplyTo) headers["In-Reply-To"] = thread.inReplyTo;
  if (references.length) headers.References = references.join(" ");
  // The bot's mail is an automatic reply: auto-responders must not answer it (RFC 3834).
  if (reply.role === "assistant") {
    headers["Auto-Submitted"] = "auto-replied";
    headers["X-Auto-Response-Suppress"] = "All";
  }
  return {
    from: { email: thread.from.address, name: thread.from.name },
    to: thread.to.name ? { email: thread.to.address, name: thread.to.name } : { email: thread.to.address },
    replyTo: thread.replyTo,
    subject: replySubject(thread.subject, thread.language),
    text: parts.join("\n\n"),
    headers,
  };
}
