// ConversationDO's SQLite store: the conversation record and its transcript. Synchronous,
// so a turn's writes are never interleaved with another request's.
import type { Answer } from "../src/answer/answerer.ts";
import { INITIAL_DIALOGUE, type DialogueState } from "../src/answer/dialogue.ts";
import type { TurnStore } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationMeta, CreateInput, Message, ReplyMeta, Role, SendInput, TranscriptPage } from "../src/conversation/types.ts";

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
};

const iso = (ms: number) => new Date(ms).toISOString();

function toMessage(r: MessageRow): Message {
  const m: Message = { seq: r.seq, role: r.role, text: r.text, createdAt: iso(r.created_at) };
  if (r.client_message_id) m.clientMessageId = r.client_message_id;
  if (r.reply_to !== null) m.replyTo = r.reply_to;
  if (r.meta) m.meta = JSON.parse(r.meta) as ReplyMeta;
  return m;
}

export class ConversationStore implements TurnStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  meta(): ConversationMeta | null {
    const r = this.sql.exec<ConversationRow>("SELECT * FROM conversation LIMIT 1").toArray()[0];
    if (!r) return null;
    const meta: ConversationMeta = { id: r.id, locale: r.locale, region: r.region, jurisdiction: r.jurisdiction ?? null, status: r.status, createdAt: iso(r.created_at) };
    if (r.customer) meta.customer = JSON.parse(r.customer);
    if (r.metadata) meta.metadata = JSON.parse(r.metadata);
    if (r.closed_at !== null) meta.closedAt = iso(r.closed_at);
    if (r.close_reason) meta.closeReason = r.close_reason;
    return meta;
  }

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
  }

  sendTat(): number | undefined {
    return this.sql.exec<{ t: number | null }>("SELECT send_tat AS t FROM conversation").toArray()[0]?.t ?? undefined;
  }

  setSendTat(tat: number): void {
    this.sql.exec("UPDATE conversation SET send_tat = ?", tat);
  }

  touch(at: number): void {
    this.sql.exec("UPDATE conversation SET last_activity_at = ?", at);
  }

  close(reason: CloseReason, at: number): void {
    this.sql.exec("UPDATE conversation SET status = 'closed', closed_at = ?, close_reason = ? WHERE status = 'open'", at, reason);
  }

  byClientMessageId(clientMessageId: string): Message | null {
    const r = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE client_message_id = ?", clientMessageId).toArray()[0];
    return r ? toMessage(r) : null;
  }

  replyTo(seq: number): Message | null {
    const r = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE reply_to = ?", seq).toArray()[0];
    return r ? toMessage(r) : null;
  }

  insertCustomer(input: SendInput, at: number): Message {
    return this.insert("customer", input.text, input.clientMessageId, null, null, at);
  }

  /** Stores the reply and the dialogue state it leads to, together. */
  insertReply(replyTo: number, answer: Answer, at: number): Message {
    return this.storage.transactionSync(() => {
      if (answer.state) this.sql.exec("INSERT OR REPLACE INTO dialogue (id, state) VALUES (1, ?)", JSON.stringify(answer.state));
      return this.insert("assistant", answer.text, null, replyTo, answer.meta, at);
    });
  }

  dialogue(): DialogueState {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM dialogue WHERE id = 1").toArray()[0];
    return row ? { ...INITIAL_DIALOGUE, ...(JSON.parse(row.state) as Partial<DialogueState>) } : INITIAL_DIALOGUE;
  }

  unanswered(): Message | null {
    const r = this.sql
      .exec<MessageRow>(
        "SELECT m.* FROM messages m WHERE m.role = 'customer' AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.reply_to = m.seq) ORDER BY m.seq DESC LIMIT 1",
      )
      .toArray()[0];
    return r ? toMessage(r) : null;
  }

  page(after: number, limit: number): TranscriptPage {
    const rows = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", after, limit + 1).toArray();
    const hasMore = rows.length > limit;
    const messages = rows.slice(0, limit).map(toMessage);
    return { messages, hasMore, nextAfter: hasMore ? messages[messages.length - 1]!.seq : null };
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n;
  }

  private insert(role: Role, text: string, clientMessageId: string | null, replyTo: number | null, meta: ReplyMeta | null, at: number): Message {
    const r = this.sql
      .exec<MessageRow>(
        "INSERT INTO messages (role, text, client_message_id, reply_to, meta, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        role,
        text,
        clientMessageId,
        replyTo,
        meta ? JSON.stringify(meta) : null,
        at,
      )
      .one();
    return toMessage(r);
  }
}
