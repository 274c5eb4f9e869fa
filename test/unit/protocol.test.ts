import { describe, expect, it } from "vitest";
import { errorFrame, MAX_FRAME_BYTES, parseClientFrame } from "../../src/conversation/protocol.ts";

describe("WebSocket frame parsing", () => {
  it("accepts a well-formed message frame", () => {
    expect(parseClientFrame(JSON.stringify({ type: "message", text: "退款多久到账？", clientMessageId: "abcdefgh" }))).toEqual({
      kind: "send",
      input: { text: "退款多久到账？", clientMessageId: "abcdefgh" },
    });
  });

  it.each([
    [{ type: "handoff" }, { kind: "handoff" }],
    [{ type: "handoff", reason: "negative_sentiment" }, { kind: "handoff", reason: "negative_sentiment" }],
    [{ type: "rating", score: 5 }, { kind: "rating", rating: { score: 5 } }],
    [{ type: "rating", score: 1, comment: "太慢了" }, { kind: "rating", rating: { score: 1, comment: "太慢了" } }],
    [{ type: "typing" }, { kind: "typing" }],
    [{ type: "offline_message", email: "lee@example.com", text: "Call me", clientMessageId: "abcdefgh" }, { kind: "offline_message", input: { email: "lee@example.com", text: "Call me", clientMessageId: "abcdefgh" } }],
  ])("accepts %j", (frame, decision) => {
    expect(parseClientFrame(JSON.stringify(frame))).toEqual(decision);
  });

  it.each([
    ["not JSON", "{", "invalid_json"],
    ["a binary frame", new ArrayBuffer(8), "invalid_frame"],
    ["an unknown type", '{"type":"nope"}', "invalid_frame"],
    ["an extra field", '{"type":"message","text":"hi","clientMessageId":"abcdefgh","x":1}', "unknown_field"],
    ["4,001 characters of text", JSON.stringify({ type: "message", text: "a".repeat(4001), clientMessageId: "abcdefgh" }), "invalid_frame"],
    ["a rating of 6", '{"type":"rating","score":6}', "invalid_frame"],
    ["a fractional rating", '{"type":"rating","score":3.5}', "invalid_frame"],
    ["a rating comment over 1,000 characters", JSON.stringify({ type: "rating", score: 3, comment: "x".repeat(1001) }), "invalid_frame"],
    ["an unknown handoff reason", '{"type":"handoff","reason":"bored"}', "invalid_frame"],
    ["an offline message without an email", '{"type":"offline_message","text":"hi","clientMessageId":"abcdefgh"}', "invalid_frame"],
  ] as const)("rejects %s", (_name, data, code) => {
    expect(parseClientFrame(data)).toEqual({ kind: "reject", code });
  });

  it("counts bytes, not characters, against the frame limit", () => {
    const text = "字".repeat(Math.ceil(MAX_FRAME_BYTES / 3) + 1);
    expect(parseClientFrame(text)).toEqual({ kind: "too_large" });
  });

  it("builds error frames with the catalogue message and no input", () => {
    expect(errorFrame("invalid_json", "abcdefgh")).toEqual({
      type: "error",
      code: "invalid_json",
      message: "The request body is not valid JSON.",
      clientMessageId: "abcdefgh",
    });
  });
});
