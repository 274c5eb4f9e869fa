// ConversationDO's SQLite store: the conversation record and its transcript. The record,
// the dialogue state and the last sequence number are read once per object lifetime and
// kept in memory; each turn's writes go out in one synchronous transaction. Customer text
// (messages, customer fields, metadata, dialogue state) is sealed with the conversation's
// data key before it is written (src/privacy/cipher.ts); erasing the key shreds it all.
// Without a key nothing is sealed (it throws), and after an erasure nothing is written.
import { INITIAL_DIALOGUE, type DialogueState } from "../src/answer/dialogue.ts";
import { Cipher } from "../src/privacy/cipher.ts";
import { EnvelopeError, rewrap, type Keyring } from "../src/privacy/envelope.ts";
import type { TurnStore } from "../src/conversation/turns.ts";
import type { Channel, CloseReason, ConversationMeta, CreateInput, Message, ReplyMeta, Role, TranscriptPage } from "../src/conversation/types.ts";
import type { ErasedMarker } from "./conversation-erased.ts";

type MessageRow = {
  seq: number;
  role: Role;
  text: string;
  client_message_id: string | null;
  reply_to: number | null;
  meta: string | null;
  created_at: number;
};

type ConversationRow = {
  id: string;
  locale: string;
  region: string;
  jurisdiction: "eu" | null;
  customer: string | null;
  metadata: string | null;
  status: "open" | "closed";
  created_at: number;
  last_activity_at: number;
  closed_at: number | null;
  close_reason: CloseReason | null;
  send_tat: number | null;
  subject: string | null;
  channel: Channel;
  mail_subject: string | null;
};

const iso = (ms: number) => new Date(ms).toISOString();

function toMessage(r: MessageRow): Message {
  const m: Message = { seq: r.seq, role: r.role, text: r.text, createdAt: iso(r.created_at) };
  if (r.client_message_id) m.clientMessageId = r.client_message_id;
  if (r.reply_to !== null) m.replyTo = r.reply_to;
  if (r.meta) m.meta = JSON.parse(r.meta) as ReplyMeta;
  return m;
}

/** The record without its sealed fields (the store adds them, opened). */
function toMeta(r: ConversationRow): ConversationMeta {
  const meta: ConversationMeta = { id: r.id, locale: r.locale, region: r.region, jurisdiction: r.jurisdiction ?? null, channel: r.channel ?? "web", status: r.status, createdAt: iso(r.created_at) };
  if (r.closed_at !== null) meta.closedAt = iso(r.closed_at);
  if (r.close_reason) meta.closeReason = r.close_reason;
  return meta;
}

export class ConversationStore implements TurnStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  private record: ConversationRow | null = null;
  /** The record's customer fields, metadata and mail subject, opened. */
  private opened: Pick<ConversationMeta, "customer" | "metadata" | "subject"> = {};
  /** Runs inside the transaction that writes each message (the mail channel's rows go with it). */
  private inserted: ((m: Message) => void) | null = null;
  private lastSeq = 0;
  /** meta(), built from the record and the opened fields; reset whenever they change. */
  private built: ConversationMeta | null = null;
  /** The latest message time written (ms). */
  private activeAt = 0;
  private state: DialogueState = INITIAL_DIALOGUE;
  /**
   * Null for a conversation erased (or never created), and for one created before encryption
   * at rest: its plain text can be read, but nothing more can be written to it.
   */
  private cipher: Cipher | null = null;
  private readonly marker: ErasedMarker;

  constructor(storage: DurableObjectStorage, marker: ErasedMarker) {
    this.storage = storage;
    this.sql = storage.sql;
    this.marker = marker;
    this.record = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").toArray()[0] ?? null;
    this.lastSeq = this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM messages").one().s ?? 0;
  }

  /**
   * Opens the data key and what it sealed. Call once, before any text is read or written. A
   * key wrapped under an older master key is rewrapped under the current one on the way.
   */
  async load(ring: Keyring | null): Promise<void> {
    const key = this.sql.exec<{ wrapped: string }>("SELECT wrapped FROM data_key WHERE id = 1").toArray()[0];
    if (!this.record) return;
    if (key) {
      if (!ring) throw new Error("DATA_ENCRYPTION_KEY is missing or malformed");
      this.cipher = await Cipher.unwrap(ring, key.wrapped, this.record.id);
      await this.rewrapKey(ring);
    }
    this.built = null;
    this.opened = {
      customer: this.record.customer ? (JSON.parse(await this.openText(this.record.customer, "customer")) as ConversationMeta["customer"]) : undefined,
      metadata: this.record.metadata ? (JSON.parse(await this.openText(this.record.metadata, "metadata")) as ConversationMeta["metadata"]) : undefined,
      subject: this.record.mail_subject === null ? undefined : await this.openText(this.record.mail_subject, "subject"),
    };
    const row = this.sql.exec<{ state: string }>("SELECT state FROM dialogue WHERE id = 1").toArray()[0];
    if (row) this.state = { ...INITIAL_DIALOGUE, ...(JSON.parse(await this.openText(row.state, "dialogue")) as Partial<DialogueState>) };
  }

  /** The conversation record (built once and kept until the record changes; callers must not change it). */
  meta(): ConversationMeta | null {
    if (!this.record) return null;
    if (!this.built) {
      const meta = toMeta(this.record);
      if (this.opened.customer) meta.customer = this.opened.customer;
      if (this.opened.metadata) meta.metadata = this.opened.metadata;
      if (this.opened.subject !== undefined) meta.subject = this.opened.subject;
      this.built = meta;
    }
    return this.built;
  }

  /** The kid that wraps the data key and the kid the key registry was last told (null: no key, e.g. erased). */
  keyState(): { id: string; kid: string; registeredKid: string | null } | null {
    const row = this.sql.exec<{ kid: string; registered_kid: string | null }>("SELECT kid, registered_kid FROM data_key WHERE id = 1").toArray()[0];
    return row && this.record ? { id: this.record.id, kid: row.kid, registeredKid: row.registered_kid } : null;
  }

  /** The key registry now knows the key is under `kid`. */
  markRegistered(kid: string): void {
    this.marker.check();
    this.sql.exec("UPDATE data_key SET registered_kid = ? WHERE id = 1", kid);
  }

  /**
   * Moves the data key to the ring's current master key, when another wraps it; true when
   * it did. The data it sealed is untouched: only the 32-byte key is wrapped again.
   */
  async rewrapKey(ring: Keyring): Promise<boolean> {
    const key = this.sql.exec<{ kid: string; wrapped: string }>("SELECT kid, wrapped FROM data_key WHERE id = 1").toArray()[0];
    if (!key || !this.record || key.kid === ring.current) return false;
    const wrapped = await rewrap(ring, key.wrapped, this.record.id);
    this.marker.check();
    this.sql.exec("UPDATE data_key SET kid = ?, wrapped = ? WHERE id = 1", ring.current, wrapped);
    return true;
  }

  /** The verified customer's subject key, when there is one. */
  subject(): string | null {
    return this.record?.subject ?? null;
  }

  /** When it closed (ms), read from storage: only the retention alarm asks. */
  closedAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT closed_at AS t FROM conversation").toArray()[0]?.t ?? null;
  }

  /** When the conversation was last active (read from storage: only the idle alarm asks). */
  lastActivityAt(): number | null {
    return this.sql.exec<{ t: number }>("SELECT last_activity_at AS t FROM conversation").toArray()[0]?.t ?? null;
  }

  /** Creates the record with a fresh data key; everything customer-given is sealed. */
  async create(input: CreateInput, at: number, ring: Keyring): Promise<void> {
    const { cipher, wrapped } = await Cipher.create(ring, input.id);
    const customer = input.customer ? await cipher.seal(JSON.stringify(input.customer), "customer") : null;
    const metadata = input.metadata ? await cipher.seal(JSON.stringify(input.metadata), "metadata") : null;
    const mailSubject = input.mailSubject === undefined ? null : await cipher.seal(input.mailSubject, "subject");
    this.marker.check();
    this.cipher = cipher;
    this.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO data_key (id, kid, wrapped, created_at) VALUES (1, ?, ?, ?)", ring.current, wrapped, at);
      this.sql.exec(
        "INSERT INTO conversation (id, locale, region, jurisdiction, customer, metadata, subject, channel, mail_subject, status, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
        input.id,
        input.locale,
        input.region,
        input.jurisdiction,
        customer,
        metadata,
        input.subject ?? null,
        input.channel ?? "web",
        mailSubject,
        at,
        at,
      );
    });
    this.record = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").one();
    this.opened = { customer: input.customer, metadata: input.metadata, subject: input.mailSubject };
    this.built = null;
  }

  /**
   * Sets what else is written with each message, in the same transaction (the mail channel:
   * a mail's headers, a reply queued in the mail outbox, so a stored reply is never left unsent).
   * Synchronous: it runs between the message's INSERT and the commit.
   */
  onInsert(writes: (m: Message) => void): void {
    this.inserted = writes;
  }

  /** The clientMessageId of the message at `seq` (synchronous: usable inside a write). */
  clientMessageIdOf(seq: number): string | null {
    return this.sql.exec<{ c: string | null }>("SELECT client_message_id AS c FROM messages WHERE seq = ?", seq).toArray()[0]?.c ?? null;
  }

  /** A closed conversation opens again (a mail replied to it). */
  reopen(): void {
    this.marker.check();
    this.sql.exec("UPDATE conversation SET status = 'open', closed_at = NULL, close_reason = NULL WHERE status = 'closed'");
    if (this.record?.status === "closed") Object.assign(this.record, { status: "open", closed_at: null, close_reason: null });
    this.built = null;
  }

  /** The conversation's send rate limit state (GCRA arrival time), kept in memory. */
  sendTat(): number | undefined {
    return this.record?.send_tat ?? undefined;
  }

  /** Updates the send rate state; it is written with the next message, not on its own. */
  setSendTat(tat: number): void {
    if (this.record) this.record.send_tat = tat;
  }

  close(reason: CloseReason, at: number): void {
    this.marker.check();
    this.sql.exec("UPDATE conversation SET status = 'closed', closed_at = ?, close_reason = ? WHERE status = 'open'", at, reason);
    if (this.record?.status === "open") Object.assign(this.record, { status: "closed", closed_at: at, close_reason: reason });
    this.built = null;
  }

  seqOfClientMessage(clientMessageId: string): number | null {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE client_message_id = ?", clientMessageId).toArray()[0]?.seq ?? null;
  }

  nextSeq(): number {
    return this.lastSeq + 1;
  }

  async message(seq: number): Promise<Message | null> {
    const r = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0];
    return r ? this.toOpenMessage(r) : null;
  }

  async replyTo(seq: number): Promise<Message | null> {
    const r = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE reply_to = ?", seq).toArray()[0];
    return r ? this.toOpenMessage(r) : null;
  }

  async saveMessage(message: Message): Promise<void> {
    const text = await this.sealText(message.text, `message:${message.seq}`);
    this.write(() => this.insert(message, text));
  }

  async saveReply(reply: Message, state: DialogueState | undefined, message?: Message): Promise<void> {
    // Everything is sealed first: the writes then go out together, in one transaction.
    const [replyText, messageText, stateText] = await Promise.all([
      this.sealText(reply.text, `message:${reply.seq}`),
      message ? this.sealText(message.text, `message:${message.seq}`) : null,
      state ? this.sealText(JSON.stringify(state), "dialogue") : null,
    ]);
    this.write(() => {
      if (message) this.insert(message, messageText!);
      if (stateText) this.sql.exec("INSERT OR REPLACE INTO dialogue (id, state) VALUES (1, ?)", stateText);
      this.insert(reply, replyText);
    });
    if (state) this.state = state;
  }

  dialogue(): DialogueState {
    return this.state;
  }

  async unanswered(): Promise<Message | null> {
    const r = this.sql
      .exec<MessageRow>(
        "SELECT m.* FROM messages m WHERE m.role = 'customer' AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.reply_to = m.seq) ORDER BY m.seq DESC LIMIT 1",
      )
      .toArray()[0];
    return r ? this.toOpenMessage(r) : null;
  }

  async page(after: number, limit: number): Promise<TranscriptPage> {
    const rows = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", after, limit + 1).toArray();
    const hasMore = rows.length > limit;
    const messages = await Promise.all(rows.slice(0, limit).map((r) => this.toOpenMessage(r)));
    return { messages, hasMore, nextAfter: hasMore ? messages[messages.length - 1]!.seq : null };
  }

  /**
   * Crypto-shredding, step one: the data key goes, with the erased marker, in a commit of its
   * own, so nothing sealed with it can be read again even from a point-in-time copy taken
   * afterwards, and nothing is sealed or written from then on.
   */
  destroyKey(at: number): void {
    this.storage.transactionSync(() => {
      this.marker.mark(at);
      this.sql.exec("DELETE FROM data_key");
    });
    this.cipher = null;
    this.record = null;
    this.opened = {};
    this.built = null;
    this.state = INITIAL_DIALOGUE;
    this.lastSeq = 0;
  }

  private async toOpenMessage(r: MessageRow): Promise<Message> {
    return toMessage({ ...r, text: await this.openText(r.text, `message:${r.seq}`) });
  }

  /**
   * Seals customer (or agent) text with the conversation's key, for the place `where` names.
   * Without a key (destroyed by an erasure) it throws: text is never written in the clear.
   */
  async sealText(text: string, where: string): Promise<string> {
    if (!this.cipher) throw new EnvelopeError("no_key");
    return this.cipher.seal(text, where);
  }

  openText(stored: string, where: string): Promise<string> {
    return this.cipher ? this.cipher.open(stored, where) : Promise.resolve(stored);
  }

  /**
   * Runs writes in one transaction, with one update of the record for all of them (the last
   * activity and the send rate state); what is kept in memory follows only what committed.
   */
  private write(writes: () => void): void {
    this.marker.check();
    try {
      this.storage.transactionSync(() => {
        writes();
        this.sql.exec("UPDATE conversation SET last_activity_at = ?, send_tat = ?", this.activeAt, this.record?.send_tat ?? null);
      });
    } catch (err) {
      this.lastSeq = this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM messages").one().s ?? 0;
      this.record = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").toArray()[0] ?? null;
      this.built = null;
      throw err;
    }
  }

  /** Writes one message (its text already sealed); `write` records the activity that goes with it. */
  private insert(m: Message, text: string): void {
    const at = Date.parse(m.createdAt);
    this.activeAt = Math.max(this.activeAt, at);
    this.sql.exec(
      "INSERT INTO messages (seq, role, text, client_message_id, reply_to, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      m.seq,
      m.role,
      text,
      m.clientMessageId ?? null,
      m.replyTo ?? null,
      m.meta ? JSON.stringify(m.meta) : null,
      at,
    );
    this.inserted?.(m);
    this.lastSeq = Math.max(this.lastSeq, m.seq);
  }
}
