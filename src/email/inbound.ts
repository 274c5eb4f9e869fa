// An incoming mail, read: postal-mime parses the MIME (a maintained parser; nothing here reads
// MIME by hand), and this keeps what the channel needs: who wrote, the subject, the
// threading headers, the customer's own text (quoted history and signatures stripped) and
// the names and sizes of attachments, whose content is dropped. A mail postal-mime cannot
// parse is `malformed`, never an exception for the handler.
import PostalMime, { type Address, type Email } from "postal-mime";
import { TEXT_MAX } from "../conversation/schemas.ts";
import { messageIds, normalizeAddress } from "./address.ts";
import { stripReply } from "./strip.ts";

/** An attachment the customer sent: only its name and size are kept. */
export interface AttachmentNote {
  name: string;
  size: number;
}

export interface InboundMail {
  /** The mail's Message-ID with its angle brackets, or null when it has none. */
  messageId: string | null;
  /** In-Reply-To, then References newest first: the ids a reply names. */
  replyTo: string[];
  /** References as sent, oldest first (for the References of our answer). */
  references: string[];
  subject: string;
  /** Where answers go: Reply-To, else From. */
  customer: { address: string; name?: string } | null;
  /** The header From's address (loops: our own address, daemons). */
  fromAddress: string | null;
  /** The customer's own text: no quoted history, no signature, at most TEXT_MAX characters. */
  text: string;
  attachments: AttachmentNote[];
}

export type InboundRead = { ok: true; mail: InboundMail } | { ok: false; reason: "malformed" };

/** Attachments listed per mail, and the longest name kept. */
const ATTACHMENTS_MAX = 20;
const NAME_MAX = 200;
const SUBJECT_MAX = 300;

/** Parses a raw mail; never throws. */
export async function readMail(raw: ArrayBuffer | Uint8Array): Promise<InboundRead> {
  let email: Email;
  try {
    // Nesting and header size are bounded by the parser's own limits.
    email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const from = mailbox(email.from);
  const replyTo = mailbox(email.replyTo?.[0]);
  const customer = replyTo ?? from;
  const inReplyTo = messageIds(email.inReplyTo);
  const references = messageIds(email.references);
  return {
    ok: true,
    mail: {
      messageId: messageIds(email.messageId, 1)[0] ?? null,
      replyTo: [...new Set([...inReplyTo, ...[...references].reverse()])],
      references,
      subject: oneLine(email.subject ?? "").slice(0, SUBJECT_MAX),
      customer,
      fromAddress: from?.address ?? null,
      text: [...stripReply(email.text ?? "")].slice(0, TEXT_MAX).join("").trim(),
      attachments: attachmentsOf(email),
    },
  };
}

function mailbox(address: Address | undefined): { address: string; name?: string } | null {
  const box = address?.group ? address.group[0] : address;
  const value = box?.address ? normalizeAddress(box.address) : "";
  if (!value.includes("@") || value.length > 254) return null;
  const name = oneLine(box?.name ?? "").slice(0, NAME_MAX);
  return name ? { address: value, name } : { address: value };
}

/** Files the customer attached; inline images (signature logos, pasted pictures in HTML) are not listed. */
function attachmentsOf(email: Email): AttachmentNote[] {
  return email.attachments
    .filter((a) => a.disposition !== "inline" && !a.related)
    .slice(0, ATTACHMENTS_MAX)
    .map((a) => ({ name: oneLine(a.filename ?? "").slice(0, NAME_MAX) || a.mimeType, size: typeof a.content === "string" ? a.content.length : a.content.byteLength }));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
