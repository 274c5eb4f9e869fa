// The shapes a conversation is made of: stored messages, the conversation record, and the
// frames exchanged over WebSockets. Shared by the Worker, the Durable Object and the page.

export type Role = "customer" | "assistant" | "agent" | "system";

/** How a reply was produced; shown to the customer and to ops. */
export interface ReplyMeta {
  mode: "normal" | "degraded";
  /** What produced the text: `kb` (an article), `generated` (LLM, grounded), `policy`, `apology`. */
  answerer: string;
  locale: string;
  /** Why the reply was degraded, since when, and how old its KB copy was. */
  degraded?: { reason: string; since: string; kbVersion: number | null; staleSeconds: number | null };
  /** Circuit breaker states when the reply was made. */
  breakers?: Record<string, "closed" | "open" | "half_open">;
  /** The policy's decision. */
  decision?: "answer" | "clarify" | "offer_handoff" | "out_of_scope" | "smalltalk";
  /** Probability that the best article answers the question. */
  confidence?: number;
  /** The articles the reply is based on. */
  citations?: Array<{ articleId: string; title: string; kbVersion: number }>;
  /** Articles offered as quick replies. */
  suggestions?: Array<{ articleId: string; title: string }>;
  /** Grounded generation: which provider worded the answer, or why its text was not used. */
  generation?: { provider: string; fallback?: string };
  /** Why a person was offered, when one was. */
  handoff?: { reason: "requested" | "negative_sentiment" | "repeated_failures" };
  /** Freshness of the KB copy that answered. */
  kb?: { version: number; lagSeconds: number | null; stale: boolean };
}

export interface Message {
  seq: number;
  role: Role;
  text: string;
  createdAt: string;
  clientMessageId?: string;
  replyTo?: number;
  meta?: ReplyMeta;
}

export interface Customer {
  id?: string;
  name?: string;
}

export interface ConversationMeta {
  id: string;
  locale: string;
  /** Where its knowledge base replica is (a location hint). */
  region: string;
  /** The jurisdiction its data must stay in, if any. */
  jurisdiction: "eu" | null;
  customer?: Customer;
  metadata?: Record<string, string>;
  status: "open" | "closed";
  createdAt: string;
  closedAt?: string;
  closeReason?: CloseReason;
}

export type CloseReason = "closed_by_customer" | "idle_timeout";

export interface CreateInput {
  id: string;
  locale: string;
  region: string;
  jurisdiction: "eu" | null;
  customer?: Customer;
  metadata?: Record<string, string>;
  /** The Cloudflare colo of the creating request, for ops events (not stored with the record). */
  colo?: string;
}

export interface SendInput {
  text: string;
  clientMessageId: string;
}

/** One turn: the customer's stored message and the reply to it. */
export interface TurnResult {
  message: Message;
  reply: Message;
  duplicate: boolean;
}

export interface TranscriptPage {
  messages: Message[];
  hasMore: boolean;
  nextAfter: number | null;
}
