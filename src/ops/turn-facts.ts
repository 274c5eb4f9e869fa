// What a stored reply tells ops, read from its metadata once: the decision, mode, degraded
// reason, article, confidence, language, KB version and replica lag of the turn. Nothing of
// the text; the article id is the KB's (`locale:slug`), never customer input.
import type { ReplyMeta } from "../conversation/types.ts";
import { confidenceBucket, DEGRADED_REASONS, handoffReasonOf, TURN_DECISIONS, type ConfidenceBucket, type HandoffReason, type Mode, type TurnDecision } from "./events.ts";
import type { DegradedReason } from "../answer/degraded.ts";

export interface TurnFacts {
  decision: TurnDecision;
  mode: Mode;
  degradedReason: DegradedReason | null;
  articleId: string | null;
  /** The policy's confidence (0–1), when it had one. */
  confidence: number | null;
  confidenceBucket: ConfidenceBucket;
  /** ISO 639-1 language of the reply. */
  language: string;
  kbVersion: number | null;
  replicaLagSeconds: number | null;
  /** Why the reply offered a person, when it did. */
  handoffReason: HandoffReason | null;
}

const finiteOrNull = (n: number | null | undefined) => (typeof n === "number" && Number.isFinite(n) ? n : null);

/**
 * The facts of a reply. A reply without a decision is an apology after the answerer
 * failed: decision `error`.
 */
export function turnFacts(meta: ReplyMeta | undefined, fallbackLocale: string): TurnFacts {
  const decision = meta?.decision && TURN_DECISIONS.includes(meta.decision) ? meta.decision : "error";
  const reason = meta?.degraded?.reason;
  const confidence = finiteOrNull(meta?.confidence);
  return {
    decision,
    mode: meta?.mode === "degraded" ? "degraded" : "normal",
    degradedReason: reason && (DEGRADED_REASONS as readonly string[]).includes(reason) ? (reason as DegradedReason) : null,
    articleId: meta?.citations?.[0]?.articleId ?? null,
    confidence,
    confidenceBucket: confidenceBucket(confidence),
    language: (meta?.locale ?? fallbackLocale).split("-")[0]!.toLowerCase(),
    kbVersion: finiteOrNull(meta?.kb?.version ?? meta?.degraded?.kbVersion ?? meta?.citations?.[0]?.kbVersion),
    replicaLagSeconds: finiteOrNull(meta?.kb?.lagSeconds ?? meta?.degraded?.staleSeconds),
    handoffReason: meta?.handoff ? handoffReasonOf(meta.handoff.reason) : null,
  };
}
