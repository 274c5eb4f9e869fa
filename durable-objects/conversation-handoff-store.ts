// The ConversationDO's handoff tables (migrations/conversation/0005_handoff.sql), kept apart
// from the transcript store: the handoff record, customer messages meant for a person, the
// authors of agent messages, private notes, the rating and feedback. A message's own row
// stays in the transcript store; the rows here are written first and keyed by its seq, so a
// crash between the two leaves at most a row for a seq not yet used, cleared at start.
// Nothing is written once the conversation is erased (conversation-erased.ts).
import { initialHandoff, type HandoffRecord } from "../src/conversation/handoff.ts";
import type { Message } from "../src/conversation/types.ts";
import type { ErasedMarker } from "./conversation-erased.ts";

/** The agent behind a message or a note. */
export interface AgentRef {
  id: string;
  name: string;
}

/** A private note: seen by agents only, placed after the message `afterSeq`. */
export interface Note {
  id: number;
  afterSeq: number;
  agent: AgentRef;
  text: string;
  clientMessageId: string;
  createdAt: string;
}

export interface StoredRating {
  score: number;
  comment?: string;
  ratedAt: string;
}

type NoteRow = { id: number; after_seq: number; agent_id: string; agent_name: string; text: string; client_message_id: string; created_at: number };
type AuthorRow = { seq: number; agent_id: string; agent_name: string; client_message_id: string };

const MAX_NOTES = 500;
const iso = (ms: number) => new Date(ms).toISOString();

function toNote(r: NoteRow): Note {
  return { id: r.id, afterSeq: r.after_seq, agent: { id: r.agent_id, name: r.agent_name }, text: r.text, clientMessageId: r.client_message_id, createdAt: iso(r.created_at) };
}

export class HandoffStore {
  private readonly sql: SqlStorage;
  private readonly marker: ErasedMarker;
  private cached: HandoffRecord | null = null;

  /** `nextSeq` is the transcript's next sequence number: rows at or after it belong to no message. */
  constructor(sql: SqlStorage, nextSeq: number, marker: ErasedMarker) {
    this.sql = sql;
    this.marker = marker;
    this.sql.exec("DELETE FROM held_messages WHERE seq >= ?", nextSeq);
    this.sql.exec("DELETE FROM agent_messages WHERE seq >= ?", nextSeq);
  }

  /** The handoff record; a conversation created before handoffs existed gets one for `team`. */
  record(team: string): HandoffRecord {
    if (!this.cached) {
      const row = this.sql.exec<{ state: string }>("SELECT state FROM handoff WHERE id = 1").toArray()[0];
      this.cached = row ? (JSON.parse(row.state) as HandoffRecord) : initialHandoff(team);
    }
    return this.cached;
  }

  /** The conversation was erased: the record kept in memory goes with it. */
  forget(): void {
    this.cached = null;
  }

  save(record: HandoffRecord): void {
    this.marker.check();
    this.sql.exec("INSERT OR REPLACE INTO handoff (id, state) VALUES (1, ?)", JSON.stringify(record));
    this.cached = record;
  }

  /** Marks a customer message (before it is stored) as meant for a person. */
  hold(seq: number): void {
    this.marker.check();
    this.sql.exec("INSERT OR REPLACE INTO held_messages (seq) VALUES (?)", seq);
  }

  /** Undoes `hold` when the message could not be stored. */
  unhold(seq: number): void {
    this.sql.exec("DELETE FROM held_messages WHERE seq = ?", seq);
  }

  held(seq: number): boolean {
    return this.sql.exec("SELECT 1 FROM held_messages WHERE seq = ?", seq).toArray().length > 0;
  }

  /** The seq an agent's message with this clientMessageId was stored at, if it was. */
  agentMessageSeq(agentId: string, clientMessageId: string): number | null {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM agent_messages WHERE agent_id = ? AND client_message_id = ?", agentId, clientMessageId).toArray()[0]?.seq ?? null;
  }

  /** Records who writes the agent message at `seq` (before the message itself is stored). */
  author(seq: number, agent: AgentRef, clientMessageId: string): void {
    this.marker.check();
    this.sql.exec("INSERT OR REPLACE INTO agent_messages (seq, agent_id, agent_name, client_message_id) VALUES (?, ?, ?, ?)", seq, agent.id, agent.name, clientMessageId);
  }

  /** Undoes `author` when the message could not be stored. */
  unauthor(seq: number): void {
    this.sql.exec("DELETE FROM agent_messages WHERE seq = ?", seq);
  }

  /**
   * Adds the author to agent messages: the name for everyone; for agents also the agent's id
   * and the clientMessageId their console sent.
   */
  decorate(messages: Message[], audience: "customer" | "agent"): Message[] {
    const agentSeqs = messages.filter((m) => m.role === "agent").map((m) => m.seq);
    if (agentSeqs.length === 0) return messages;
    const rows = this.sql.exec<AuthorRow>("SELECT * FROM agent_messages WHERE seq BETWEEN ? AND ?", Math.min(...agentSeqs), Math.max(...agentSeqs)).toArray();
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return messages.map((m) => {
      const row = m.role === "agent" ? bySeq.get(m.seq) : undefined;
      if (!row) return m;
      return audience === "agent" ? { ...m, agent: { name: row.agent_name, id: row.agent_id }, clientMessageId: row.client_message_id } : { ...m, agent: { name: row.agent_name } };
    });
  }

  /** Stores a note once per (agent, clientMessageId); a retry gets the stored one and `duplicate`. */
  addNote(agent: AgentRef, text: string, clientMessageId: string, afterSeq: number, at: number): { note: Note; duplicate: boolean } {
    const existing = this.sql.exec<NoteRow>("SELECT * FROM notes WHERE agent_id = ? AND client_message_id = ?", agent.id, clientMessageId).toArray()[0];
    if (existing) return { note: toNote(existing), duplicate: true };
    this.marker.check();
    const row = this.sql
      .exec<NoteRow>("INSERT INTO notes (after_seq, agent_id, agent_name, text, client_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *", afterSeq, agent.id, agent.name, text, clientMessageId, at)
      .one();
    return { note: toNote(row), duplicate: false };
  }

  /** The latest notes, oldest first. */
  notes(): Note[] {
    return this.sql.exec<NoteRow>("SELECT * FROM (SELECT * FROM notes ORDER BY id DESC LIMIT ?) ORDER BY id", MAX_NOTES).toArray().map(toNote);
  }

  rating(): StoredRating | null {
    const r = this.sql.exec<{ score: number; comment: string | null; rated_at: number }>("SELECT score, comment, rated_at FROM rating WHERE id = 1").toArray()[0];
    if (!r) return null;
    return r.comment === null ? { score: r.score, ratedAt: iso(r.rated_at) } : { score: r.score, comment: r.comment, ratedAt: iso(r.rated_at) };
  }

  /** Stores the rating; a later one replaces it. */
  rate(score: number, comment: string | undefined, at: number): StoredRating {
    this.marker.check();
    this.sql.exec("INSERT OR REPLACE INTO rating (id, score, comment, rated_at) VALUES (1, ?, ?, ?)", score, comment ?? null, at);
    return this.rating()!;
  }

  /** Marks a reply helpful or not; a later mark replaces an earlier one. False when the reply already had this mark (nothing written). */
  feedback(seq: number, helpful: boolean, at: number): boolean {
    const mark = helpful ? 1 : 0;
    if (this.sql.exec<{ helpful: number }>("SELECT helpful FROM feedback WHERE seq = ?", seq).toArray()[0]?.helpful === mark) return false;
    this.marker.check();
    this.sql.exec("INSERT OR REPLACE INTO feedback (seq, helpful, at) VALUES (?, ?, ?)", seq, mark, at);
    return true;
  }

  /** Every reply's mark, by seq. */
  feedbacks(): Record<number, boolean> {
    const out: Record<number, boolean> = {};
    for (const r of this.sql.exec<{ seq: number; helpful: number }>("SELECT seq, helpful FROM feedback ORDER BY seq").toArray()) out[r.seq] = r.helpful === 1;
    return out;
  }
}
