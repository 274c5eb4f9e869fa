// The audit records of agent console frames: the REST mirrors' action names, ids as targets.
import { describe, expect, it } from "vitest";
import { auditOfFrame, auditOutcomeOf } from "../../src/desk/audit.ts";
import { fail, ok } from "../../src/errors.ts";

const conversationId = "c".repeat(64);

describe("auditOfFrame", () => {
  it.each([
    [{ type: "presence", status: "away" } as const, "agent.presence", "op_ana"],
    [{ type: "claim", conversationId } as const, "agent.conversation.claim", conversationId],
    [{ type: "message", conversationId, text: "hi", clientMessageId: "m1" } as const, "agent.conversation.messages", conversationId],
    [{ type: "canned", conversationId, cannedId: "greeting", clientMessageId: "m2" } as const, "agent.conversation.messages", conversationId],
    [{ type: "note", conversationId, text: "x", clientMessageId: "n1" } as const, "agent.conversation.notes", conversationId],
    [{ type: "transfer", conversationId, to: { team: "billing" } } as const, "agent.conversation.transfer", conversationId],
    [{ type: "release", conversationId } as const, "agent.conversation.release", conversationId],
    [{ type: "close", conversationId, resolution: "resolved" } as const, "agent.conversation.close", conversationId],
    [{ type: "close_ticket", ticketId: "t-1" } as const, "agent.ticket.close", "t-1"],
  ])("records %o as %s on %s", (frame, action, target) => {
    expect(auditOfFrame(frame, "op_ana")).toEqual({ action, target });
  });

  it("does not record typing", () => {
    expect(auditOfFrame({ type: "typing", conversationId }, "op_ana")).toBeNull();
  });

  it("tells refusals from failures as the REST mirrors do", () => {
    expect(auditOutcomeOf(ok(1))).toBe("ok");
    expect(auditOutcomeOf(fail("conversation_not_assigned"))).toBe("denied");
    expect(auditOutcomeOf(fail("desk_unavailable"))).toBe("failed");
  });
});
