// A verified customer's earlier conversations, as the subject index keeps them for agents and
// for the bot's greeting: when each started, its channel, how it ended, the agent's
// resolution, the rating and the articles the bot gave (ids and titles: no customer text).
// And the rule for greeting a returning customer whose last conversation was left open.

/** How a conversation stands or ended: open, or why it closed. */
export type HistoryStatus = "open" | "closed_by_customer" | "idle_timeout" | "closed_by_agent" | "auto_resolved";

export interface HistoryArticle {
  articleId: string;
  title: string;
}

/** One earlier conversation (GET /v1/agent/conversations/:id `history`). */
export interface HistoryEntry {
  id: string;
  startedAt: string;
  channel: string;
  status: HistoryStatus;
  /** A person was asked for. */
  handedOff: boolean;
  /** The agent's, when an agent closed it. */
  resolution?: string;
  rating?: number;
  articles: HistoryArticle[];
  /** When it last changed (closed, rated, answered). */
  updatedAt: string;
}

/** What a conversation tells its subject index when something of its history changes. */
export interface HistoryNote {
  status?: HistoryStatus;
  handedOff?: true;
  resolution?: string;
  rating?: number;
  /** Articles the bot gave in an answer: added to those already kept. */
  articles?: HistoryArticle[];
}

/** Articles kept per conversation, the first ones given. */
export const MAX_HISTORY_ARTICLES = 10;
/** Earlier conversations shown, newest first. */
export const MAX_HISTORY = 20;
/** A conversation left open this recently is mentioned when its customer returns. */
export const RETURNING_WINDOW_MS = 7 * 86_400_000;

/** The articles kept with `added` given too: each once, in the order first given, at most MAX_HISTORY_ARTICLES. */
export function withArticles(kept: readonly HistoryArticle[], added: readonly HistoryArticle[]): HistoryArticle[] {
  const out = [...kept];
  for (const a of added) if (out.length < MAX_HISTORY_ARTICLES && !out.some((k) => k.articleId === a.articleId)) out.push({ articleId: a.articleId, title: a.title });
  return out;
}

/**
 * One history from a customer's two indexes: EU conversations' entries from the EU index
 * (which alone is told how they went), the others' from the main one; newest first, at most
 * MAX_HISTORY.
 */
export function mergedHistory(main: readonly HistoryEntry[], eu: readonly HistoryEntry[], isEu: (id: string) => boolean): HistoryEntry[] {
  return [...main.filter((h) => !isEu(h.id)), ...eu.filter((h) => isEu(h.id))].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt)).slice(0, MAX_HISTORY);
}

/** Why a returning customer is greeted with a mention of their last conversation. */
export type ReturningKind = "handed_off" | "unresolved";

/**
 * Whether an earlier conversation was left open: a person was asked for and no agent closed
 * it as resolved (or as spam), or nobody settled it — an agent closed it as not resolved, or
 * it went idle (an answer left standing closes as auto_resolved first, where that is on).
 */
export function leftOpen(entry: HistoryEntry): ReturningKind | null {
  if (entry.resolution === "resolved" || entry.resolution === "spam" || entry.status === "auto_resolved") return null;
  if (entry.handedOff) return "handed_off";
  if (entry.resolution === "not_resolved" || entry.status === "idle_timeout") return "unresolved";
  return null;
}

/** The mention a returning customer gets: about their latest earlier conversation, if it was left open within the window. */
export function returningMention(earlier: readonly HistoryEntry[], now: number, windowMs = RETURNING_WINDOW_MS): { kind: ReturningKind; at: string } | null {
  const last = [...earlier].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
  if (!last || now - Date.parse(last.updatedAt) > windowMs) return null;
  const kind = leftOpen(last);
  return kind ? { kind, at: last.updatedAt } : null;
}
