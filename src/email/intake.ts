// The email handler's steps, with its ports injected: is the mail for us, is it too large,
// over a sender's or domain's limit, automatic (never answered), which conversation it
// belongs to, and hand it to that conversation. It returns what became of the mail; the
// handler refuses a `rejected` mail (the sending server tells the sender) and accepts the
// rest. Malformed MIME is rejected, never thrown.
import { detectLanguage, localeFor } from "../answer/language.ts";
import { recipientOf, domainOf } from "./address.ts";
import { EMAIL_MESSAGE_PREFIX } from "./answering.ts";
import { readMail, type InboundMail } from "./inbound.ts";
import { autoMailReason, type AutoMailReason, type HeaderSource } from "./loop.ts";
import { messageKey, threadDecision, tokenKey, type ThreadDecision } from "./threading.ts";
import type { EmailConfig } from "../config.ts";
import type { ErrorCode, Outcome } from "../errors.ts";
import type { CreateInput } from "../conversation/types.ts";

/** The envelope of an incoming mail, as the platform hands it over. */
export interface Envelope {
  from: string;
  to: string;
  rawSize: number;
  headers: HeaderSource;
  raw(): Promise<ArrayBuffer>;
}

/** A mail as a conversation takes it (durable-objects/conversation-mail.ts). */
export interface Delivery {
  create: CreateInput | null;
  clientMessageId: string;
  text: string;
  messageId: string | null;
  references: string[];
  attachments: InboundMail["attachments"];
}

export interface IntakePorts {
  /** Counts a mail against a sender's or a domain's limit; false when over it. */
  admit(kind: "sender" | "domain", value: string): Promise<boolean>;
  /** The keyed hash of a Message-ID or content digest. */
  digest(id: string): Promise<string>;
  /** The hex SHA-256 of the raw mail (the id of a mail without a Message-ID). */
  contentDigest(raw: ArrayBuffer): Promise<string>;
  /** Which conversations the thread map knows for these keys. */
  find(keys: string[]): Promise<Map<string, string>>;
  /** Binds a key unless bound; the conversation it is bound to. */
  claim(key: string, conversationId: string): Promise<string>;
  /** Whether a reply token is the conversation's. */
  tokenOf(conversationId: string, token: string): Promise<boolean>;
  /** A new conversation's id (in the email jurisdiction). */
  newConversationId(): string;
  deliver(conversationId: string, delivery: Delivery): Promise<Outcome<{ seq: number; duplicate: boolean }>>;
}

export type IntakeResult =
  | { kind: "rejected"; reason: "unknown_recipient" | "too_large" | "rate_limited" | "malformed" | "conversation_unavailable" }
  | { kind: "dropped"; reason: AutoMailReason | "empty" }
  | { kind: "delivered"; conversationId: string; seq: number; duplicate: boolean; thread: ThreadDecision["kind"] };

/** What a rejected mail's sender is told (by their own mail server). */
export const REJECT_TEXT: Record<Extract<IntakeResult, { kind: "rejected" }>["reason"], string> = {
  unknown_recipient: "No such mailbox here.",
  too_large: "Message too large.",
  rate_limited: "Too many messages from this sender; please try again later.",
  malformed: "The message could not be read.",
  conversation_unavailable: "The message could not be delivered; please try again later.",
};

/** Takes one mail through the steps. */
export async function takeMail(envelope: Envelope, config: EmailConfig, ports: IntakePorts): Promise<IntakeResult> {
  const recipient = recipientOf(envelope.to, config.supportAddress);
  if (!recipient) return { kind: "rejected", reason: "unknown_recipient" };
  if (envelope.rawSize > config.maxBytes) return { kind: "rejected", reason: "too_large" };
  const sender = envelope.from.trim().toLowerCase();
  if (sender && (!(await ports.admit("sender", sender)) || !(await ports.admit("domain", domainOf(sender))))) return { kind: "rejected", reason: "rate_limited" };
  const raw = await envelope.raw();
  const read = await readMail(raw);
  if (!read.ok) return { kind: "rejected", reason: "malformed" };
  const mail = read.mail;
  const auto = autoMailReason(envelope.headers, envelope.from, mail.fromAddress, config.domain);
  if (auto) return { kind: "dropped", reason: auto };
  // No From (or Reply-To) address to answer: not a mail we can read as one.
  if (!mail.customer) return { kind: "rejected", reason: "malformed" };
  const text = mail.text || mail.subject;
  if (!text) return { kind: "dropped", reason: "empty" };

  const ownKey = messageKey(await ports.digest(mail.messageId ?? `content:${await ports.contentDigest(raw)}`));
  const namedKeys = await Promise.all(mail.replyTo.map(async (id) => messageKey(await ports.digest(id))));
  const token = recipient.kind === "reply" ? tokenKey(recipient.token) : null;
  const found = await ports.find([ownKey, ...(token ? [token] : []), ...namedKeys]);
  const tokenConversation = token ? found.get(token) : undefined;
  const decision = threadDecision({
    own: found.get(ownKey) ?? null,
    token: tokenConversation && recipient.kind === "reply" && (await ports.tokenOf(tokenConversation, recipient.token)) ? tokenConversation : null,
    named: namedKeys.map((k) => found.get(k) ?? null),
  });

  const delivery = (create: CreateInput | null): Delivery => ({
    create,
    clientMessageId: `${EMAIL_MESSAGE_PREFIX}${ownKey.slice(2, 34)}`,
    text,
    messageId: mail.messageId,
    references: mail.references,
    attachments: mail.attachments,
  });
  const creating = (id: string): CreateInput => ({
    id,
    locale: localeOf(`${mail.subject}\n${text}`),
    region: config.region,
    jurisdiction: id.startsWith("eu-") ? "eu" : null,
    customer: mail.customer!.name ? { email: mail.customer!.address, name: mail.customer!.name } : { email: mail.customer!.address },
    team: config.team,
    channel: "email",
    mailSubject: mail.subject,
  });
  const delivered = (conversationId: string, outcome: { seq: number; duplicate: boolean }, thread: ThreadDecision["kind"]): IntakeResult => ({ kind: "delivered", conversationId, ...outcome, thread });

  if (decision.kind === "seen") {
    const outcome = await ports.deliver(decision.conversationId, delivery(creating(decision.conversationId)));
    return outcome.ok ? delivered(decision.conversationId, outcome.value, "seen") : failed(outcome.code);
  }
  if (decision.kind === "join") {
    // The conversation stores it once per clientMessageId; bound after, so that a second
    // delivery finds it directly (before that, it finds it the same way as the first).
    const outcome = await ports.deliver(decision.conversationId, delivery(null));
    if (outcome.ok) {
      await ports.claim(ownKey, decision.conversationId);
      return delivered(decision.conversationId, outcome.value, "join");
    }
    // The conversation it names is gone (erased): the mail starts a new one.
    if (outcome.code !== "conversation_not_found") return failed(outcome.code);
  }
  const id = await ports.claim(ownKey, ports.newConversationId());
  const outcome = await ports.deliver(id, delivery(creating(id)));
  return outcome.ok ? delivered(id, outcome.value, "new") : failed(outcome.code);
}

/** A new conversation's locale: the mail's language when it is clear, else English. */
function localeOf(text: string): string {
  const detected = detectLanguage(text);
  return detected?.confident ? localeFor(detected.language) : "en";
}

function failed(code: ErrorCode): IntakeResult {
  return { kind: "rejected", reason: code === "rate_limited" ? "rate_limited" : "conversation_unavailable" };
}
