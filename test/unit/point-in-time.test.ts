// When a conversation may be restored to a point in time (src/conversation/point-in-time.ts):
// within the last 30 days, not before it began, never once erased, only where the storage
// keeps history.
import { describe, expect, it } from "vitest";
import { PITR_WINDOW_MS, restoreDecision, type RestoreFacts } from "../../src/conversation/point-in-time.ts";

const now = 1_800_000_000_000;
const facts = (over: Partial<RestoreFacts> = {}): RestoreFacts => ({ at: now - 3_600_000, now, erased: false, createdAt: now - 7_200_000, pitr: true, ...over });

describe("restoreDecision", () => {
  it("restores a live conversation to a time since it began, within the window", () => {
    expect(restoreDecision(facts())).toEqual({ type: "restore", at: now - 3_600_000 });
    expect(restoreDecision(facts({ at: now - PITR_WINDOW_MS, createdAt: now - PITR_WINDOW_MS - 1 }))).toMatchObject({ type: "restore" });
  });

  it.each<[string, Partial<RestoreFacts>, string]>([
    ["a time in the future", { at: now + 1 }, "restore_point_out_of_range"],
    ["a time older than 30 days", { at: now - PITR_WINDOW_MS - 1, createdAt: 0 }, "restore_point_out_of_range"],
    ["a time that is not one", { at: Number.NaN }, "restore_point_out_of_range"],
    ["an erased conversation, even to a time before its erasure", { erased: true, createdAt: null }, "conversation_erased"],
    ["an erased conversation, even where the storage keeps no history", { erased: true, pitr: false }, "conversation_erased"],
    ["an object that holds no conversation", { createdAt: null }, "conversation_not_found"],
    ["a time before the conversation began (that would delete it)", { createdAt: now - 60_000 }, "restore_point_out_of_range"],
    ["storage without a point-in-time history", { pitr: false }, "pitr_unavailable"],
  ])("refuses %s", (_what, over, code) => {
    expect(restoreDecision(facts(over))).toEqual({ type: "refuse", code });
  });
});
