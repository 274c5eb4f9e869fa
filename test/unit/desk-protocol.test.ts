import { describe, expect, it } from "vitest";
import { OfflineMessageSchema } from "../../src/conversation/schemas.ts";
import { AGENT_SUBPROTOCOL, agentErrorFrame, AUTH_PROTOCOL_PREFIX, MAX_AGENT_FRAME_BYTES, parseAgentFrame } from "../../src/desk/protocol.ts";

const conversationId = "a".repeat(64);
const euConversationId = `eu-${"0f".repeat(32)}`;
const clientMessageId = "msg-0001";

describe("agent socket protocol names", () => {
  it("has its own subprotocol and shares the customer socket's token entry", () => {
    expect(AGENT_SUBPROTOCOL).toBe("holdfast.agent.v1");
    expect(AUTH_PROTOCOL_PREFIX).toBe("holdfast.auth.");
  });
});

describe("agent frame parsing", () => {
  it.each([
    { type: "presence", status: "online" },
    { type: "presence", status: "away", capacity: 5 },
    { type: "message", conversationId, text: "您好，我来帮您。", clientMessageId },
    { type: "message", conversationId: euConversationId, text: "Hello", clientMessageId },
    { type: "canned", conversationId, cannedId: "greeting", clientMessageId },
    { type: "note", conversationId, text: "Refund approved by finance", clientMessageId },
    { type: "typing", conversationId },
    { type: "claim", conversationId },
    { type: "transfer", conversationId, to: { agentId: "agent-7" } },
    { type: "transfer", conversationId, to: { team: "billing" } },
    { type: "release", conversationId },
    { type: "close", conversationId, resolution: "not_resolved" },
    { type: "close_ticket", ticketId: "t-42" },
  ])("accepts $type frames", (frame) => {
    expect(parseAgentFrame(JSON.stringify(frame))).toEqual({ kind: "frame", frame });
  });

  it.each([
    ["not JSON", "{", "invalid_json"],
    ["a binary frame", new ArrayBuffer(16), "invalid_frame"],
    ["JSON that is not an object", "[1,2]", "invalid_frame"],
    ["an unknown type", '{"type":"dance"}', "invalid_frame"],
    ["a frame without a type", `{"conversationId":"${conversationId}"}`, "invalid_frame"],
    ["an unknown presence", '{"type":"presence","status":"busy"}', "invalid_frame"],
    ["a capacity of 0", '{"type":"presence","status":"online","capacity":0}', "invalid_frame"],
    ["a capacity above the maximum", '{"type":"presence","status":"online","capacity":21}', "invalid_frame"],
    ["a fractional capacity", '{"type":"presence","status":"online","capacity":2.5}', "invalid_frame"],
    ["a malformed conversation id", '{"type":"claim","conversationId":"../../etc"}', "invalid_frame"],
    ["blank text", JSON.stringify({ type: "message", conversationId, text: "   ", clientMessageId }), "invalid_frame"],
    ["text over 4,000 characters", JSON.stringify({ type: "message", conversationId, text: "a".repeat(4001), clientMessageId }), "invalid_frame"],
    ["a short clientMessageId", JSON.stringify({ type: "message", conversationId, text: "hi", clientMessageId: "x" }), "invalid_frame"],
    ["an unknown resolution", JSON.stringify({ type: "close", conversationId, resolution: "fixed" }), "invalid_frame"],
    ["a transfer naming both an agent and a team", JSON.stringify({ type: "transfer", conversationId, to: { agentId: "a", team: "b" } }), "invalid_frame"],
    ["an extra field", JSON.stringify({ type: "typing", conversationId, x: 1 }), "unknown_field"],
  ] as const)("rejects %s", (_name, data, code) => {
    expect(parseAgentFrame(data)).toEqual({ kind: "reject", code });
  });

  it("counts bytes, not characters, against the frame limit, for text and binary frames", () => {
    expect(parseAgentFrame("字".repeat(Math.ceil(MAX_AGENT_FRAME_BYTES / 3) + 1))).toEqual({ kind: "too_large" });
    expect(parseAgentFrame(new ArrayBuffer(MAX_AGENT_FRAME_BYTES + 1))).toEqual({ kind: "too_large" });
  });

  it("builds error frames with the catalogue message and nothing from the input", () => {
    expect(agentErrorFrame("agent_at_capacity")).toEqual({ type: "error", code: "agent_at_capacity", message: "The agent has no free capacity for another conversation." });
    expect(agentErrorFrame("conversation_not_assigned", clientMessageId)).toEqual({
      type: "error",
      code: "conversation_not_assigned",
      message: "The conversation is not assigned to this agent.",
      clientMessageId,
    });
  });
});

describe("offline message input", () => {
  it.each([
    [{ email: "ana@example.com", text: "Please call me back about order 17", clientMessageId }, true],
    [{ email: "not-an-email", text: "hello", clientMessageId }, false],
    [{ email: "ana@example.com", text: " ", clientMessageId }, false],
    [{ email: "ana@example.com", clientMessageId }, false],
    [{ email: "ana@example.com", text: "Please call me back" }, false],
  ])("validates %j as %s", (input, valid) => {
    expect(OfflineMessageSchema.safeParse(input).success).toBe(valid);
  });
});
