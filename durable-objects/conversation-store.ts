// ConversationDO's SQLite store: the conversation record and its transcript. The record,
// the dialogue state and the last sequence number are read once per object lifetime and
// kept in memory; each turn's writes go out in one synchronous transaction.
import { INITIAL_DIALOGUE, type DialogueState } from "../src/answer/dialogue.ts";
import type { TurnStore } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationMeta, CreateInput, Message, ReplyMeta, Role, TranscriptPage } from "../src/conversation/types.ts";

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
};

const iso = (ms: number) => new Date(ms).toISOString();

function toMessage(r: MessageRow): Message {
  const m: Message = { seq: r.seq, role: r.role, text: r.text, createdAt: iso(r.created_at) };
  if (r.client_message_id) m.clientMessageId = r.client_message_id;
  if (r.reply_to !== null) m.replyTo = r.reply_to;
  if (r.meta) m.meta = JSON.parse(r.meta) as ReplyMeta;
  return m;
}

function toMeta(r: ConversationRow): ConversationMeta {
  const meta: ConversationMeta = { id: r.id, locale: r.locale, region: r.region, jurisdiction: r.jurisdiction ?? null, status: r.status, createdAt: iso(r.created_at) };
  if (r.customer) meta.customer = JSON.parse(r.customer);
  if (r.metadata) meta.metadata = JSON.parse(r.metadata);
  if (r.closed_at !== null) meta.closedAt = iso(r.closed_at);
  if (r.close_reason) meta.closeReason = r.close_reason;
  return meta;
}

export class ConversationStore implements TurnStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  private record: ConversationRow | null;
  private lastSeq: number;
  private state: DialogueState | null = null;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
    this.record = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").toArray()[0] ?? null;
    this.lastSeq = this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM messages").one().s ?? 0;
  }

  meta(): ConversationMeta | null {
    return this.record && toMeta(this.record);
  }

  /** When the conversation was last active (read from storage: only the idle alarm asks). */
  lastActivityAt(): number | null {
    return this.sql.exec<{ t: number }>("SELECT last_activity_at AS t FROM conversation").toArray()[0]?.t ?? null;
  }

  create(input: CreateInput, at: number): void {
    this.sql.exec(
      "INSERT INTO conversation (id, locale, region, jurisdiction, customer, metadata, status, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
      input.id,
      input.locale,
      input.region,
      input.jurisdiction,
      input.customer ? JSON.stringify(input.customer) : null,
      input.metadata ? JSON.stringify(input.metadata) : null,
      at,
      at,
    );
    this.record = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").one();
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
    this.sql.exec("UPDATE conversation SET status = 'closed', closed_at = ?, close_reason = ? WHERE status = 'open'", at, reason);
    if (this.record?.status === "open") Object.assign(this.record, { status: "closed", closed_at: at, close_reason: reason });
  }

  seqOfClientMessage(clientMessageId: string): number | null {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE client_message_id = ?", clientMessageId).toArray()[0]?.seq ?? null;
  }

  nextSeq(): number {
    return this.lastSeq + 1;
  }

  async message(seq: number): Promise<Message | null> {
    const r = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0];
    return r ? toMessage(r) : null;
  }

  async replyTo(seq: number): Promise<Message | null> {
    const r = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE reply_to = ?", seq).toArray()[0];
    return r ? toMessage(r) : null;
  }

  async saveMessage(message: Message): Promise<void> {
    this.write(() => this.insert(message));
  }

  async saveReply(reply: Message, state: DialogueState | undefined, message?: Message): Promise<void> {
    this.write(() => {
      if (message) this.insert(message);
      if (state) this.sql.exec("INSERT OR REPLACE INTO dialogue (id, state) VALUES (1, ?)", JSON.stringify(state));
      this.insert(reply);
    });
    if (state) this.state = state;
  }

  dialogue(): DialogueState {
    if (!this.state) {
      const row = this.sql.exec<{ state: string }>("SELECT state FROM dialogue WHERE id = 1").toArray()[0];
      this.state = row ? { ...INITIAL_DIALOGUE, ...(JSON.parse(row.state) as Partial<DialogueState>) } : INITIAL_DIALOGUE;
    }
    return this.state;
  }

  async unanswered(): Promise<Message | null> {
    const r = this.sql
      .exec<MessageRow>(
        "SELECT m.* FROM messages m WHERE m.role = 'customer' AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.reply_to = m.seq) ORDER BY m.seq DESC LIMIT 1",
      )
      .toArray()[0];
    return r ? toMessage(r) : null;
  }

  async page(after: number, limit: number): Promise<TranscriptPage> {
    const rows = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", after, limit + 1).toArray();
    const hasMore = rows.length > limit;
    const messages = rows.slice(0, limit).map(toMessage);
    return { messages, hasMore, nextAfter: hasMore ? messages[messages.length - 1]!.seq : null };
  }

  /** Runs writes in one transaction; what is kept in memory follows only what committed. */
  private write(writes: () => void): void {
    try {
      this.storage.transactionSync(writes);
    } catch (err) {
      this.lastSeq = this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM messages").one().s ?? 0;
      this.record = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").toArray()[0] ?? null;
      throw err;
    }
  }

  /** Writes one message, with the activity time and send rate state that go with it. */
  private insert(m: Message): void {
    const at = Date.parse(m.createdAt);
    this.sql.exec(
      "INSERT INTO messages (seq, role, text, client_message_id, reply_to, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      m.seq,
      m.role,
      m.text,
      m.clientMessageId ?? null,
      m.replyTo ?? null,
      m.meta ? JSON.stringify(m.meta) : null,
      at,
    );
    this.sql.exec("UPDATE conversation SET last_activity_at = ?, send_tat = ?", at, this.record?.send_tat ?? null);
    this.lastSeq = Math.max(this.lastSeq, m.seq);
  }
}
