// Which customer questions feed the KB gap report, and in what form: questions (not
// greetings or thanks) the bot could not answer (out of scope, or a person offered after
// failed answers), could answer only with low confidence (clarify: candidates offered), or
// whose answer was marked not helpful, in normal mode (a degraded reply is an outage, not a KB gap).
// The text is redacted here, before it leaves the conversation.
import type { MessageKind } from "../answer/message-kind.ts";
import { redact } from "../privacy/redact.ts";
import type { GapQuestion, GapReason } from "./gaps.ts";
import type { TurnFacts } from "./turn-facts.ts";

/** Longest question text kept (GapClusters keeps 300). */
const MAX_TEXT = 300;

/** Why a turn's question is a gap, or null when it is not one. */
export function gapReasonOf(kind: MessageKind, facts: Pick<TurnFacts, "mode" | "decision" | "handoffReason">): GapReason | null {
  if (kind !== "question" || facts.mode !== "normal") return null;
  switch (facts.decision) {
    case "out_of_scope":
      return "no_answer";
    case "offer_handoff":
      // Offered a person after failed answers; a customer asking for one is not a KB gap.
      return facts.handoffReason === "repeated_failures" ? "no_answer" : null;
    case "clarify":
      // Below the policy's answer threshold: the bot could only offer candidates. (Answers
      // are calibrated: one at 0.77 is as likely right as it says, so it is not a gap.)
      return "low_confidence";
    default:
      return null;
  }
}

/** The question as the gap report may keep it: redacted, trimmed; null when nothing is left. */
export function gapQuestion(text: string, language: string, reason: GapReason, at: number): GapQuestion | null {
  // The whole text is redacted before it is cut, so no piece of personal data is cut in two.
  const redacted = redact(text).text.replace(/\s+/g, " ").trim().slice(0, MAX_TEXT);
  return redacted ? { language, text: redacted, reason, at } : null;
}
