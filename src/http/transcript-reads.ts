// Operators' transcript reads as ops events (transcript_read, src/ops/events.ts): the
// operator and the conversations read, hashed, to the RegionOpsDO of the region the request
// came from, which counts them per operator for the unusual-reads alert. The audit log keeps
// the reads themselves (src/operators/access-report.ts). Never awaited, never throws.
import type { Context } from "hono";
import { MAX_READ_CONVERSATIONS, type HashedId } from "../ops/events.ts";
import { emitOpsEvent, hashOpsId, opsEventsOn, requestColo } from "../platform/events.ts";
import type { AppEnv } from "./context.ts";

/** Emits the calling operator's read of these conversations' transcripts. */
export function noteTranscriptReads(c: Context<AppEnv>, conversationIds: readonly string[]): void {
  const { config, operator, location } = c.var;
  if (!operator || !conversationIds.length || !opsEventsOn(config)) return;
  const colo = requestColo(c.req.raw);
  const at = Date.now();
  const done = Promise.all(conversationIds.map((id) => hashOpsId(config, "conversation", id))).then((hashed) => {
    const conversations = hashed.filter((h): h is HashedId => h !== null);
    for (let i = 0; i < conversations.length; i += MAX_READ_CONVERSATIONS) {
      const event = { type: "transcript_read" as const, at, region: location.region, colo, jurisdiction: null, operator: operator.id, conversations: conversations.slice(i, i + MAX_READ_CONVERSATIONS) };
      emitOpsEvent(c.env, c.executionCtx, event);
    }
  });
  c.executionCtx.waitUntil(done.catch(() => {}));
}
