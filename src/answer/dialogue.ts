// Dialogue state: what the conversation remembers between turns to answer well — the
// language, the sentiment trend, unanswered turns in a row, the last question and the
// article that answered it (for follow-ups), recent message kinds and the handoff state.
import type { MessageKind } from "./message-kind.ts";
import { NEUTRAL, type SentimentTrend } from "./sentiment.ts";

export interface DialogueState {
  language: string | null;
  sentiment: SentimentTrend;
  /** Question turns in a row that ended without an answer. */
  failedAnswers: number;
  lastQuestion: string | null;
  lastArticleId: string | null;
  recentKinds: MessageKind[];
  handoff: "none" | "offered";
}

export const INITIAL_DIALOGUE: DialogueState = {
  language: null,
  sentiment: NEUTRAL,
  failedAnswers: 0,
  lastQuestion: null,
  lastArticleId: null,
  recentKinds: [],
  handoff: "none",
};
