// The little per-conversation state the ConversationDO keeps to emit its conversation_end
// event: whether the bot answered, a person was brought in, the customer confirmed an
// answer helped or asked for more within RESOLUTION_WINDOW of the bot's last answer.
import type { MessageKind } from "../answer/message-kind.ts";
import type { ConversationEndEvent, Mode, TurnDecision } from "./events.ts";

/** Default RESOLUTION_WINDOW: as long as a conversation may sit idle before it is closed. */
export const DEFAULT_RESOLUTION_WINDOW_MS = 30 * 60_000;

export interface Outcome {
  startedAt: number;
  turns: number;
  botAnswered: boolean;
  handedOff: boolean;
  agentReplied: boolean;
  /** Explicit confirmation (helpful feedback) of the last answer. */
  confirmedHelpful: boolean;
  /** Since the last answer, the customer asked for more (a question, a person, not-helpful feedback) within the window. */
  askedForMore: boolean;
  lastAnswerAt: number | null;
  /** `degraded` once any reply was. */
  mode: Mode;
  kbVersion: number | null;
  /** Set once conversation_end was emitted; it is emitted once. */
  ended: boolean;
}

export function startOutcome(at: number): Outcome {
  return { startedAt: at, turns: 0, botAnswered: false, handedOff: false, agentReplied: false, confirmedHelpful: false, askedForMore: false, lastAnswerAt: null, mode: "normal", kbVersion: null, ended: false };
}

const within = (o: Outcome, at: number, windowMs: number) => o.lastAnswerAt !== null && at - o.lastAnswerAt <= windowMs;

/** A customer message. Greetings, thanks, goodbyes and chit-chat do not ask for more. */
export function onCustomerMessage(o: Outcome, kind: MessageKind, at: number, windowMs = DEFAULT_RESOLUTION_WINDOW_MS): Outcome {
  if ((kind === "question" || kind === "human") && within(o, at, windowMs)) return { ...o, askedForMore: true, confirmedHelpful: false };
  return o;
}

/** The bot's reply to a turn; an answer starts a new resolution window. */
export function onBotReply(o: Outcome, reply: { decision: TurnDecision; mode: Mode; kbVersion: number | null; at: number }): Outcome {
  const next: Outcome = { ...o, turns: o.turns + 1, mode: o.mode === "degraded" || reply.mode === "degraded" ? "degraded" : "normal" };
  if (reply.decision !== "answer") return next;
  return { ...next, botAnswered: true, lastAnswerAt: reply.at, askedForMore: false, confirmedHelpful: false, kbVersion: reply.kbVersion ?? o.kbVersion };
}

/** Helpful / not helpful feedback on the last answer. */
export function onFeedback(o: Outcome, helpful: boolean): Outcome {
  return helpful ? { ...o, confirmedHelpful: true, askedForMore: false } : { ...o, confirmedHelpful: false, askedForMore: true };
}

export function onHandoff(o: Outcome): Outcome {
  return { ...o, handedOff: true };
}

export function onAgentReply(o: Outcome): Outcome {
  return { ...o, agentReplied: true };
}

/** Whether conversation_end is due at `now` without a close: the window passed since the last answer, no person involved. */
export function endDue(o: Outcome, now: number, windowMs = DEFAULT_RESOLUTION_WINDOW_MS): boolean {
  return !o.ended && !o.handedOff && o.lastAnswerAt !== null && now - o.lastAnswerAt > windowMs;
}

/** The outcome fields of the conversation_end event (the caller adds origin, slice and customer). */
export function endFields(o: Outcome): Pick<ConversationEndEvent, "startedAt" | "turns" | "botAnswered" | "handedOff" | "agentReplied" | "confirmedHelpful" | "askedForMoreWithinWindow" | "mode" | "kbVersion"> {
  return {
    startedAt: o.startedAt,
    turns: o.turns,
    botAnswered: o.botAnswered,
    handedOff: o.handedOff,
    agentReplied: o.agentReplied,
    confirmedHelpful: o.confirmedHelpful,
    askedForMoreWithinWindow: o.askedForMore,
    mode: o.mode,
    kbVersion: o.kbVersion,
  };
}
