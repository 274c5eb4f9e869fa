import { describe, expect, it } from "vitest";
import { originAllowed } from "../../src/http/middleware/security.ts";

describe("WebSocket origin allowlist", () => {
  const url = "https://chat.example/v1/conversations/x/ws";
  it.each([
    [undefined, true, "a non-browser client without Origin"],
    ["https://chat.example", true, "the Worker's own origin"],
    ["https://shop.example", true, "an allowed origin"],
    ["https://evil.example", false, "any other origin"],
    ["https://shop.example.evil.example", false, "a look-alike origin"],
  ])("%s → %s (%s)", (origin, expected, _why) => {
    expect(originAllowed(origin, url, ["https://shop.example"])).toBe(expected);
  });
});
