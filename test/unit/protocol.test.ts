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
    ["not JSON", "{", "invalid_json"],
    ["a binary frame", new ArrayBuffer(8), "invalid_frame"],
    ["an unknown type", '{"type":"nope"}', "invalid_frame"],
    ["an extra field", '{"type":"message","text":"hi","clientMessageId":"abcdefgh","x":1}', "unknown_field"],
    ["4,001 characters of text", JSON.stringify({ type: "message", text: "a".repeat(4001), clientMessageId: "abcdefgh" }), "invalid_frame"],
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
