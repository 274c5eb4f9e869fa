// Where a conversation's mail thread stands when a reply goes out: the customer's mails
// (their Message-IDs and References) and ours (the Message-IDs the email service gave them),
// in transcript order. A reply answers the newest mail of the thread, names the chain in
// References, and tells of attachments the customer's latest mail carried if no mail of ours
// has answered it yet.
import { REFERENCES_MAX } from "./address.ts";
import type { AttachmentNote } from "./inbound.ts";

export interface MailIn {
  seq: number;
  messageId: string | null;
  references: string[];
  attachments: AttachmentNote[];
}

export interface MailOut {
  seq: number;
  messageId: string | null;
}

export interface ThreadHeaders {
  inReplyTo: string | null;
  references: string[];
  attachments: AttachmentNote[];
}

/** The threading headers and attachment note of the reply at `seq`. */
export function threadHeaders(ins: MailIn[], outs: MailOut[], seq: number): ThreadHeaders {
  const lastIn = ins.filter((m) => m.seq < seq).sort((a, b) => a.seq - b.seq).at(-1);
  const sent = outs.filter((m) => m.seq < seq && m.messageId).sort((a, b) => a.seq - b.seq);
  const after = lastIn ? sent.filter((m) => m.seq > lastIn.seq) : sent;
  const chain = [...(lastIn?.references ?? []), ...(lastIn?.messageId ? [lastIn.messageId] : []), ...after.map((m) => m.messageId!)];
  const references = [...new Set(chain)].slice(-REFERENCES_MAX);
  return {
    inReplyTo: references.at(-1) ?? null,
    references,
    attachments: lastIn && after.length === 0 ? lastIn.attachments : [],
  };
}
