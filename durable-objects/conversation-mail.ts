// The ConversationDO's email side, as glue: it takes a mail the Worker delivered (creating
// the conversation, or opening a closed one again), keeps the mail's headers sealed beside
// its message, runs the turn like any other, and sends what goes out by mail from the
// outbox. Decisions are pure (src/email/, src/conversation/handoff.ts).
//
// Exactly once: a reply that goes out by mail is queued in the transaction that stores it
// (ConversationStore.onInsert), so a restart between storing and sending leaves the row,
// which the next start, alarm or turn sends. A row is marked sent in the same synchronous
// step in which the send_email binding's acceptance arrives; only one flush runs at a time,
// so no row is sent twice while the object lives. What remains is a kill in the instant
// between the email service accepting a mail and that mark being committed (one local
// SQLite commit): the mail would go again on restart, with the same X-Holdfast-Outbox-Id
// header. The Message-ID cannot carry that guarantee: Cloudflare's email service sets it.
import type { Config } from "../src/config.ts";
import { agentReplyByMail, botReplyByMail } from "../src/conversation/handoff.ts";
import type { Turns } from "../src/conversation/turns.ts";
import type { CreateInput, Message } from "../src/conversation/types.ts";
import { replyAddress } from "../src/email/address.ts";
import { cameByMail } from "../src/email/answering.ts";
import type { AttachmentNote } from "../src/email/inbound.ts";
import { threadHeaders, type MailIn } from "../src/email/mail-thread.ts";
import { composeMail, type OutgoingMail } from "../src/email/outgoing.ts";
import { afterFailure } from "../src/email/outbox.ts";
import { idDigest, replyToken } from "../src/email/thread-keys.ts";
import { mailLanguage } from "../src/email/texts.ts";
import { tokenKey, messageKey } from "../src/email/threading.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { claimThread, recordSent, sendMail } from "../src/platform/mail.ts";
import type { ConversationHandoff } from "./conversation-handoff.ts";
import type { HandoffStore } from "./conversation-handoff-store.ts";
import type { MailStore } from "./conversation-mail-store.ts";
import type { ConversationStore } from "./conversation-store.ts";

/** A mail for this conversation, as the Worker read it. */
export interface MailDelivery {
  /** How to create the conversation if it does not exist yet (a new mail, or a second delivery of one). */
  create: CreateInput | null;
  /** `email-` + the keyed hash of the mail's Message-ID: a second delivery is the same message. */
  clientMessageId: string;
  text: string;
  messageId: string | null;
  references: string[];
  attachments: AttachmentNote[];
}

export interface MailReceipt {
  conversationId: string;
  seq: number;
  duplicate: boolean;
}

export interface MailDeps {
  env: Env;
  config: Config;
  store: ConversationStore;
  mails: MailStore;
  handoffs: HandoffStore;
  handoff: ConversationHandoff;
  turns(): Turns;
  /** Creates the conversation (the object's own create: data key, desk, ops). */
  create(input: CreateInput): Promise<Outcome<unknown>>;
  /** Activity: the idle alarm must fire by `at` at the latest. */
  armBy(at: number): void;
}

/** The sealed part of a customer mail kept beside its message. */
type SealedIn = Omit<MailIn, "seq">;

export class ConversationMail {
  private readonly d: MailDeps;
  /** The mail whose message the current turn stores (its headers go in the same transaction). */
  private pending: { clientMessageId: string; sealed: string } | null = null;
  private flushing: Promise<void> | null = null;
  private again = false;
  /** The reply token is in the thread map (written before the first mail of this object's life). */
  private tokenMapped = false;
  /** Whether a customer ever wrote by mail here (null: not looked up yet). */
  private hadMail: boolean | null = null;

  constructor(deps: MailDeps) {
    this.d = deps;
    deps.store.onInsert((m) => this.written(m));
  }

  /** Takes a delivered mail: the conversation's message, answered like any other; duplicates once. */
  async receive(input: MailDelivery): Promise<Outcome<MailReceipt>> {
    if (!this.d.store.meta()) {
      if (!input.create) return fail("conversation_not_found");
      const created = await this.d.create(input.create);
      if (!created.ok) return created;
    }
    const meta = this.d.store.meta()!;
    if (meta.status === "closed" && this.d.store.seqOfClientMessage(input.clientMessageId) === null) {
      this.d.store.reopen();
      this.d.armBy(Date.now() + this.d.config.email.idleSeconds * 1000);
    }
    const sealed = await this.d.store.sealText(JSON.stringify({ messageId: input.messageId, references: input.references, attachments: input.attachments } satisfies SealedIn), mailWhere(input.clientMessageId));
    this.pending = { clientMessageId: input.clientMessageId, sealed };
    let outcome;
    try {
      outcome = await this.d.turns().send({ text: input.text, clientMessageId: input.clientMessageId });
    } finally {
      this.pending = null;
    }
    void this.flush();
    return outcome.ok ? ok({ conversationId: meta.id, seq: outcome.value.message.seq, duplicate: outcome.value.duplicate }) : outcome;
  }

  /** Sends what waits in the outbox (one flush at a time; a call during one runs it again after). */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      do {
        this.again = false;
        await this.sendDue(Date.now());
      } while (this.again);
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Customer messages that came by mail, with the attachments their mail named (read back for agents and exports). */
  async decorate(messages: Message[]): Promise<Message[]> {
    const ins = new Map(this.d.mails.ins().map((row) => [row.seq, row.data]));
    return Promise.all(
      messages.map(async (m) => {
        const sealed = m.role === "customer" && m.clientMessageId ? ins.get(m.seq) : undefined;
        if (sealed === undefined) return m;
        const { attachments } = JSON.parse(await this.d.store.openText(sealed, mailWhere(m.clientMessageId!))) as SealedIn;
        return attachments.length ? { ...m, attachments } : m;
      }),
    );
  }

  /** When the outbox next needs a try, or null. */
  nextDue(): number | null {
    return this.d.mails.nextDue();
  }

  /** Inside a message's transaction: the mail's headers, and the outbox row of a reply that goes by mail. */
  private written(m: Message): void {
    const at = Date.parse(m.createdAt);
    if (this.pending && m.clientMessageId === this.pending.clientMessageId) {
      this.d.mails.saveIn(m.seq, this.pending.sealed, at);
      this.hadMail = true;
    }
    if (this.goesOut(m)) {
      this.d.mails.queue(m.seq, at);
      // Should this object stop before sending, its alarm brings it back to send.
      this.d.armBy(at + 1_000);
    }
  }

  private goesOut(m: Message): boolean {
    const meta = this.d.store.meta();
    if (!meta) return false;
    const record = this.d.handoff.record();
    if (m.role === "agent") return agentReplyByMail(meta.channel, record);
    // A chat that never had mail (a reply to a ticket answered by mail can bring some) costs no lookup here.
    this.hadMail ??= meta.channel === "email" || this.d.mails.hasIn();
    if (m.role !== "assistant" || m.replyTo === undefined || !this.hadMail) return false;
    return cameByMail({ clientMessageId: this.d.store.clientMessageIdOf(m.replyTo) ?? undefined }) && botReplyByMail(m, record);
  }

  private async sendDue(now: number): Promise<void> {
    for (const row of this.d.mails.due(now)) {
      let mail: OutgoingMail | null = null;
      try {
        mail = await this.compose(row.seq);
        if (!mail) {
          this.d.mails.failed(row.seq, null, "no_address");
          continue;
        }
        const { messageId } = await sendMail(this.d.env, this.d.config, mail);
        // The same step as the acceptance: nothing runs between it and this mark.
        this.d.mails.sent(row.seq, messageId, Date.now());
        const id = this.d.store.meta()!.id;
        await recordSent(this.d.env, this.d.config, mail, id, messageId);
        await claimThread(this.d.env, messageKey(await this.keyOf(messageId)), id).catch(() => {});
      } catch (err) {
        const next = afterFailure(row.attempts + 1, Date.now());
        this.d.mails.failed(row.seq, next.kind === "retry" ? next.at : null, (err as Error).name || "Error");
        console.error(JSON.stringify({ level: next.kind === "retry" ? "warn" : "error", code: next.kind === "retry" ? "mail_send_failed" : "mail_given_up", kind: (err as Error).name }));
      }
    }
    const next = this.d.mails.nextDue();
    if (next !== null) this.d.armBy(next);
  }

  /** The mail of the reply at `seq`, or null when the conversation has no address to write to. */
  private async compose(seq: number): Promise<OutgoingMail | null> {
    const meta = this.d.store.meta();
    const stored = await this.d.store.message(seq);
    if (!meta || !stored) return null;
    const [reply] = this.d.handoffs.decorate([stored], "customer");
    const ticket = this.d.handoff.record().ticket;
    const to = meta.channel === "email" ? meta.customer?.email : ticket ? await this.d.store.openText(ticket.email, "ticket:email") : undefined;
    if (!to) return null;
    const subject = meta.subject ?? (ticket ? await this.d.store.openText(ticket.subject, "ticket:subject") : "");
    const ins = await Promise.all(
      this.d.mails.ins().map(async (row): Promise<MailIn> => {
        const clientMessageId = this.d.store.clientMessageIdOf(row.seq) ?? "";
        return { seq: row.seq, ...(JSON.parse(await this.d.store.openText(row.data, mailWhere(clientMessageId))) as SealedIn) };
      }),
    );
    const headers = threadHeaders(ins, this.d.mails.outs(), seq);
    const secret = this.d.config.tokenSecret;
    const token = await replyToken(secret, meta.id);
    if (!this.tokenMapped) {
      await claimThread(this.d.env, tokenKey(token), meta.id);
      this.tokenMapped = true;
    }
    const name = meta.channel === "email" ? meta.customer?.name : undefined;
    return composeMail(
      {
        conversationId: meta.id,
        to: name ? { address: to, name } : { address: to },
        from: { address: this.d.config.email.supportAddress, name: this.d.config.email.fromName },
        replyTo: replyAddress(token, this.d.config.email.supportAddress),
        subject,
        language: mailLanguage(this.d.store.dialogue().language ?? meta.locale),
        ...headers,
      },
      reply!,
    );
  }

  private keyOf(messageId: string): Promise<string> {
    return idDigest(this.d.config.tokenSecret, messageId);
  }
}

/** Where a mail's sealed headers belong (their associated data). */
const mailWhere = (clientMessageId: string) => `mail:${clientMessageId}`;
