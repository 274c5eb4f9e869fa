// What the human side of a conversation shows when it is read: an agent's view (transcript
// with authors, notes, rating, feedback, the left message and the bot's suggestions) and
// its part of a customer's export. Sealed texts (notes, the ticket, the rating's comment)
// are opened here, with the associated data they were sealed under.
import type { AnswerPipeline } from "../src/answer/pipeline.ts";
import type { HandoffRecord } from "../src/conversation/handoff.ts";
import type { HistoryEntry } from "../src/conversation/history.ts";
import type { HandoffFrame } from "../src/conversation/protocol.ts";
import type { Channel, CloseReason, ConversationExport, Message } from "../src/conversation/types.ts";
import type { Resolution } from "../src/desk/model.ts";
import type { AssistArticle } from "../src/desk/protocol.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import type { ConversationStore } from "./conversation-store.ts";
import type { HandoffStore, Note, StoredRating } from "./conversation-handoff-store.ts";

/** What an agent reads of a conversation (GET /v1/agent/conversations/:id). */
export interface AgentTranscript {
  conversation: {
    id: string;
    locale: string;
    region: string;
    status: "open" | "closed";
    createdAt: string;
    closeReason?: CloseReason;
    customer?: { id?: string; name?: string };
    metadata?: Record<string, string>;
    /** Where it came from (web chat or email) and, for email, its subject. */
    channel: Channel;
    subject?: string;
    team: string;
    handoff: HandoffFrame | null;
    resolution: Resolution | null;
    /** The message the customer left for the team, if any: reply to it by email. */
    ticket: HandoffRecord["ticket"];
  };
  messages: Message[];
  hasMore: boolean;
  nextAfter: number | null;
  notes: Note[];
  rating: StoredRating | null;
  feedback: Record<number, boolean>;
  /** The bot's suggestions for the customer's latest message. */
  assist: { seq: number; articles: AssistArticle[] } | null;
  /** A verified customer's earlier conversations, newest first; none for others. */
  history: HistoryEntry[];
}

/** Where a note's sealed text belongs (its associated data). */
export const noteWhere = (agentId: string, clientMessageId: string) => `note:${agentId}:${clientMessageId}`;

export interface HandoffViewDeps {
  store: ConversationStore;
  handoffs: HandoffStore;
  answerer: AnswerPipeline;
  record(): HandoffRecord;
}

export class HandoffView {
  private readonly d: HandoffViewDeps;

  constructor(deps: HandoffViewDeps) {
    this.d = deps;
  }

  /** What an agent reads: the transcript with authors, notes, rating, feedback and the bot's suggestions (the customer's history is the DO's to add). */
  async agentView(after: number, limit: number): Promise<Outcome<Omit<AgentTranscript, "history">>> {
    const meta = this.d.store.meta();
    if (!meta) return fail("conversation_not_found");
    const page = await this.d.store.page(after, limit);
    const messages = this.d.handoffs.decorate(page.messages, "agent");
    const record = this.d.record();
    const ticket = await this.openTicket();
    const conversation: AgentTranscript["conversation"] = { id: meta.id, locale: meta.locale, region: meta.region, status: meta.status, createdAt: meta.createdAt, channel: meta.channel, team: record.team, handoff: record.frame, resolution: record.resolution, ticket };
    if (meta.subject !== undefined) conversation.subject = meta.subject;
    if (meta.closeReason) conversation.closeReason = meta.closeReason;
    if (meta.customer) conversation.customer = meta.customer;
    if (meta.metadata) conversation.metadata = meta.metadata;
    const assist = page.nextAfter === null ? await this.assistFor(messages) : null;
    return ok({ conversation, messages, hasMore: page.hasMore, nextAfter: page.nextAfter, notes: await this.notes(), rating: await this.openRating(), feedback: this.d.handoffs.feedbacks(), assist });
  }

  /**
   * What the human side holds about the customer, opened, for an export: the rating, the
   * feedback, the message left for the team, and agents' notes (which are about them too).
   */
  async heldAbout(): Promise<Pick<ConversationExport, "rating" | "feedback" | "notes" | "ticket">> {
    return { rating: await this.openRating(), feedback: this.d.handoffs.feedbacks(), notes: await this.notes(), ticket: await this.openTicket() };
  }

  /** The bot's suggested articles for a customer message. */
  suggest(message: Message): Promise<AssistArticle[]> {
    return this.d.answerer.suggest({ message, locale: this.d.store.meta()?.locale ?? "en", state: this.d.store.dialogue() });
  }

  async openNote(note: Note): Promise<Note> {
    return { ...note, text: await this.d.store.openText(note.text, noteWhere(note.agent.id, note.clientMessageId)) };
  }

  private notes(): Promise<Note[]> {
    return Promise.all(this.d.handoffs.notes().map((n) => this.openNote(n)));
  }

  private async openTicket(): Promise<HandoffRecord["ticket"]> {
    const { ticket } = this.d.record();
    return ticket && { ...ticket, email: await this.d.store.openText(ticket.email, "ticket:email"), subject: await this.d.store.openText(ticket.subject, "ticket:subject") };
  }

  /** The rating with its comment opened. */
  private async openRating(): Promise<StoredRating | null> {
    const rating = this.d.handoffs.rating();
    return rating?.comment === undefined ? rating : { ...rating, comment: await this.d.store.openText(rating.comment, "rating:comment") };
  }

  /** The articles the bot cited or suggested in reply to the latest customer message, else its suggestions now. */
  private async assistFor(messages: Message[]): Promise<AgentTranscript["assist"]> {
    const last = messages.filter((m) => m.role === "customer").at(-1);
    if (!last) return null;
    const reply = messages.find((m) => m.replyTo === last.seq);
    const articles = reply ? [...(reply.meta?.citations ?? []), ...(reply.meta?.suggestions ?? [])].map((a) => ({ articleId: a.articleId, title: a.title })) : await this.suggest(last);
    return articles.length ? { seq: last.seq, articles } : null;
  }
}
