// Learning from confirmations: the rules that turn customers' and agents' signals into a
// learned example question's status. Pure: the primary-side writer (questions.ts) and the
// eval's replay (scripts/eval/replay.ts) both call these, so the replay follows production
// rules exactly. A question turns active when enough different clients confirm it in
// different conversations, or one agent or editor does; never from one client alone.

export const LEARN_MODES = ["auto", "review", "off"] as const;
export type LearnMode = (typeof LEARN_MODES)[number];

export const LEARNED_STATUSES = ["candidate", "active", "rejected"] as const;
export type LearnedStatus = (typeof LEARNED_STATUSES)[number];

/**
 * Where a vote came from: a customer's pick of a suggested article, a customer's helpful or
 * not-helpful mark, an agent (inserting a suggested article, or naming the article when
 * closing), an editor (teaching or approving it).
 */
export const VOTE_SOURCES = ["pick", "helpful", "not_helpful", "agent", "editor"] as const;
export type VoteSource = (typeof VOTE_SOURCES)[number];

export interface LearnSettings {
  mode: LearnMode;
  /** Distinct clients (in distinct conversations) whose confirmations make a question active. */
  minConfirmations: number;
  /** Votes one client may cast a day, over all questions. */
  maxPerClientPerDay: number;
}

export const DEFAULT_LEARN_SETTINGS: LearnSettings = { mode: "auto", minConfirmations: 2, maxPerClientPerDay: 20 };

/** Not-helpful marks this many more than confirmations keep a question from ever turning active. */
export const NOT_HELPFUL_MARGIN = 2;

/** One vote as stored: keyed digests of the conversation and the client, never who they are. */
export interface Vote {
  conversation: string;
  /** The client: a digest of the verified customer id, else of the client address; an operator's id for agents and editors. */
  client: string;
  source: VoteSource;
  /** UTC day, YYYY-MM-DD: the per-client daily cap counts by it. */
  day: string;
}

/** An editor's word on a question, which overrides the counts. */
export type Review = "approved" | "rejected" | null;

export interface QuestionVotes {
  review: Review;
  votes: readonly Vote[];
}

export interface VoteCounts {
  /** Customers' confirmations (picks and helpful marks) plus agents' and editors'. */
  confirmations: number;
  notHelpful: number;
  sources: Record<VoteSource, number>;
}

/** Where a question must wait for an editor whatever its votes (an EU conversation's words). */
export interface StatusContext {
  settings: LearnSettings;
  needsApproval?: boolean;
}

const trusted = (source: VoteSource) => source === "agent" || source === "editor";
const customerConfirmation = (source: VoteSource) => source === "pick" || source === "helpful";

export function countVotes(votes: readonly Vote[]): VoteCounts {
  const sources = Object.fromEntries(VOTE_SOURCES.map((s) => [s, 0])) as Record<VoteSource, number>;
  for (const v of votes) sources[v.source]++;
  return { confirmations: votes.length - sources.not_helpful, notHelpful: sources.not_helpful, sources };
}

/**
 * A question's status from its votes and review. An editor's approval or rejection wins;
 * then a question marked not helpful a pair more times than customers confirmed it is
 * rejected; in `auto` mode it is active once one agent or editor confirmed it, or
 * `minConfirmations` different clients did; otherwise it stays a candidate.
 */
export function statusOf(question: QuestionVotes, context: StatusContext): LearnedStatus {
  if (question.review) return question.review === "approved" ? "active" : "rejected";
  const counts = countVotes(question.votes);
  const customers = counts.sources.pick + counts.sources.helpful;
  if (counts.notHelpful - customers >= NOT_HELPFUL_MARGIN) return "rejected";
  if (context.needsApproval || context.settings.mode !== "auto") return "candidate";
  if (question.votes.some((v) => trusted(v.source))) return "active";
  // Votes are already one per client (see decideVote): count the clients that confirmed.
  const clients = new Set(question.votes.filter((v) => customerConfirmation(v.source)).map((v) => v.client));
  return clients.size >= context.settings.minConfirmations ? "active" : "candidate";
}

export type VoteDecision =
  | { kind: "ignored"; reason: "learning_off" | "client_counted" | "conversation_counted" | "daily_cap" }
  | { kind: "recorded"; status: LearnedStatus; previous: LearnedStatus | null; counts: VoteCounts };

export interface VoteContext extends StatusContext {
  /** Votes this client has already cast today, over all questions. */
  clientVotesToday: number;
}

/**
 * Whether a vote counts, and the question's status after it. One client counts once per
 * question, and a conversation once per question; customers are held to the daily cap
 * (agents and editors are operators, known by name, and are not). `question` is null when
 * the vote would create the question.
 */
export function decideVote(question: QuestionVotes | null, vote: Vote, context: VoteContext): VoteDecision {
  const { settings } = context;
  if (settings.mode === "off" && vote.source !== "editor") return { kind: "ignored", reason: "learning_off" };
  const votes = question?.votes ?? [];
  if (votes.some((v) => v.client === vote.client)) return { kind: "ignored", reason: "client_counted" };
  if (votes.some((v) => v.conversation === vote.conversation)) return { kind: "ignored", reason: "conversation_counted" };
  if (!trusted(vote.source) && context.clientVotesToday >= settings.maxPerClientPerDay) return { kind: "ignored", reason: "daily_cap" };
  const next: QuestionVotes = { review: question?.review ?? null, votes: [...votes, vote] };
  const previous = question ? statusOf(question, context) : null;
  return { kind: "recorded", status: statusOf(next, context), previous, counts: countVotes(next.votes) };
}

/** Ids of learned questions waiting in the EU (LearnedEuDO) start with this; the primary's with `lq_`. */
export const EU_ID_PREFIX = "lqeu_";

/** The UTC day of a time, as votes record it. */
export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
