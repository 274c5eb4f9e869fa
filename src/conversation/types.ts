// The shapes a conversation is made of: stored messages, the conversation record, and the
// frames exchanged over WebSockets. Shared by the Worker, the Durable Object and the page.
import type { HandoffFrame } from "../desk/protocol.ts";
import type { ReleaseTag } from "../releases/outcomes.ts";

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
  /** The KB version that answered (a release's candidate version for its canary conversations). */
  kbVersion?: number;
  /** The open release the conversation takes part in, and its arm. */
  release?: { id: string; arm: "canary" | "stable" };
}

export interface Message {
  seq: number;
  role: Role;
  text: string;
  createdAt: string;
  clientMessageId?: string;
  replyTo?: number;
  meta?: ReplyMeta;
  /** Who wrote an agent's message (role `agent`): the name they go by with customers (agents also see the id). */
  agent?: { name: string; id?: string };
  /** Files a customer's mail carried: not stored, only named. */
  attachments?: Array<{ name: string; size: number }>;
}

/** Where a conversation came from. */
export type Channel = "web" | "email";

export interface Customer {
  id?: string;
  name?: string;
  email?: string;
  /** The id came with a valid signature from the host site (identity verification). */
  verified?: boolean;
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
  /** Where it came from: the chat (web) or a mail to the support address (email). */
  channel: Channel;
  /** An email conversation's subject (its first mail's). */
  subject?: string;
  status: "open" | "closed";
  createdAt: string;
  closedAt?: string;
  closeReason?: CloseReason;
}

/** `auto_resolved`: the bot's last answer stood for AUTO_RESOLVE_MINUTES (resolved, assumed). */
export type CloseReason = "closed_by_customer" | "idle_timeout" | "closed_by_agent" | "auto_resolved";

/** Everything a conversation holds about its customer, for a GDPR/CCPA export. */
export interface ConversationExport {
  conversation: ConversationMeta;
  messages: Message[];
  rating: { score: number; comment?: string; ratedAt: string } | null;
  /** Helpful / not helpful, by the seq of the bot's answer. */
  feedback: Record<number, boolean>;
  /** Agents' private notes about the conversation. */
  notes: Array<{ text: string; createdAt: string; agent: { name: string } }>;
  /** The message left for the team, if any: where to reply, and its subject. */
  ticket: { email: string; subject: string; at: number; seq: number } | null;
}

export interface CreateInput {
  id: string;
  locale: string;
  region: string;
  jurisdiction: "eu" | null;
  customer?: Customer;
  metadata?: Record<string, string>;
  /** The verified customer's subject key (an HMAC of the id), for export and erasure. */
  subject?: string;
  /** The team whose desk takes the conversation when a person is asked for. */
  team?: string;
  /** The Cloudflare colo of the creating request, for ops events (not stored with the record). */
  colo?: string;
  /** Email conversations: the channel, and the first mail's subject (sealed; `subject` above is the customer's subject key). */
  channel?: Channel;
  mailSubject?: string;
  /** Its arm in the release open at its start (src/releases), chosen by the Worker. */
  release?: ReleaseTag;
}

export interface SendInput {
  text: string;
  clientMessageId: string;
  /** The suggested article the customer picked with this message (learning from confirmations). */
  choice?: Choice;
}

/** A pick of a suggested article: which, and the seq of the reply that offered it. */
export interface Choice {
  articleId: string;
  inReplyTo: number;
}

/**
 * One turn: the customer's stored message and the bot's reply to it, or no reply (null) when
 * the message was for the agent who has the conversation; then `handoff` says who that is.
 */
export interface TurnResult {
  message: Message;
  reply: Message | null;
  duplicate: boolean;
  handoff?: HandoffFrame;
}

export interface TranscriptPage {
  messages: Message[];
  hasMore: boolean;
  nextAfter: number | null;
}
