// A ConversationDO's point-in-time restore (admin): the decision is src/conversation/
// point-in-time.ts; this asks the storage for a bookmark of the time and has the next session
// start from it. Where the storage keeps no history (local workerd, whose methods exist but
// refuse) the answer is pitr_unavailable. The object must then restart (ctx.abort) for the
// bookmark to take effect.
import { restoreDecision } from "../src/conversation/point-in-time.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";

export interface RestoreState {
  storage: DurableObjectStorage;
  erased: boolean;
  /** The conversation's createdAt (ISO), when it has one. */
  createdAt: string | null;
}

/** Prepares the restore of the object's storage to `at` (ms); ok means: restart to apply it. */
export async function prepareRestore(state: RestoreState, at: number, now: number): Promise<Outcome<{ at: number }>> {
  const { storage } = state;
  const pitr = typeof storage.getBookmarkForTime === "function" && typeof storage.onNextSessionRestoreBookmark === "function";
  const decision = restoreDecision({ at, now, erased: state.erased, createdAt: state.createdAt === null ? null : Date.parse(state.createdAt), pitr });
  if (decision.type === "refuse") return fail(decision.code);
  let bookmark: string;
  try {
    bookmark = await storage.getBookmarkForTime(decision.at);
  } catch {
    // The storage has no history to give a bookmark from.
    return fail("pitr_unavailable");
  }
  await storage.onNextSessionRestoreBookmark(bookmark);
  return ok({ at: decision.at });
}
