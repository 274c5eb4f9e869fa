// Answer settings set at run time (GET|PUT /v1/admin/settings/answers): thresholds that
// override the KB's fitted ones, generation on or off, the LLM model, extra instructions for
// the prompt. What is unset keeps the Worker's configuration. They go out as releases: the
// canary answers with stable ⊕ the release's changes.
import { z } from "@hono/zod-openapi";

export const AnswerSettingsSchema = z
  .strictObject({
    thresholds: z
      .strictObject({
        answerAt: z.number().min(0).max(1).optional().openapi({ description: "Answer outright at or above this confidence (overrides the KB's fitted threshold)." }),
        clarifyAt: z.number().min(0).max(1).optional().openapi({ description: "Offer choices at or above this in-scope probability." }),
      })
      .optional(),
    generation: z.boolean().optional().openapi({ description: "Grounded generation on (when an LLM is configured) or off (the article itself answers)." }),
    model: z.string().trim().min(1).max(200).optional().openapi({ description: "The LLM model to ask (LLM_MODEL otherwise)." }),
    prompt: z.string().trim().max(2_000).optional().openapi({ description: "Extra instructions for grounded generation (tone, length); the grounding rules stay." }),
  })
  .openapi("AnswerSettings");

export type AnswerSettings = z.output<typeof AnswerSettingsSchema>;

/** Settings with `changes` laid over them (a threshold changed alone keeps the other). */
export function applyChanges(base: AnswerSettings, changes: AnswerSettings): AnswerSettings {
  const thresholds = base.thresholds || changes.thresholds ? { ...base.thresholds, ...changes.thresholds } : undefined;
  return { ...base, ...changes, ...(thresholds && { thresholds }) };
}

/** Whether the changes change nothing. */
export function isEmpty(changes: AnswerSettings): boolean {
  return Object.values(changes).every((v) => v === undefined || (typeof v === "object" && Object.values(v).every((x) => x === undefined)));
}
