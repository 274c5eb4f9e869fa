import { describe, expect, it } from "vitest";
import { checkToken, signToken } from "../../src/auth/token.ts";
import { otherSpelling } from "../support/token-spelling.ts";

const secret = "unit-test-secret-0123456789";
const id = "a".repeat(64);
const now = 1_800_000_000;

describe("conversation tokens", () => {
  it("verifies a token for its own conversation", async () => {
    const token = await signToken(secret, id, now + 60);
    expect(await checkToken(secret, id, token, now)).toBe("ok");
  });

  it("is a valid WebSocket subprotocol token (no characters outside RFC 7230 tchar)", async () => {
    const token = await signToken(secret, id, now + 60);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it.each([
    ["another conversation", async () => checkToken(secret, "b".repeat(64), await signToken(secret, id, now + 60), now), "forbidden"],
    ["another secret", async () => checkToken("another-secret-0123456789", id, await signToken(secret, id, now + 60), now), "forbidden"],
    ["an expired token", async () => checkToken(secret, id, await signToken(secret, id, now - 1), now), "token_expired"],
    ["a changed expiry", async () => checkToken(secret, id, (await signToken(secret, id, now + 60)).replace(`${now + 60}`, `${now + 99999}`), now), "forbidden"],
    ["garbage", async () => checkToken(secret, id, "garbage", now), "token_invalid"],
    ["a wrong version", async () => checkToken(secret, id, (await signToken(secret, id, now + 60)).replace("v1.", "v2."), now), "token_invalid"],
    ["a truncated signature", async () => checkToken(secret, id, (await signToken(secret, id, now + 60)).slice(0, -4), now), "token_invalid"],
    // Only the exact text that was issued verifies.
    ["the expiry written with a leading zero", async () => checkToken(secret, id, (await signToken(secret, id, now + 60)).replace(`v1.${now + 60}.`, `v1.0${now + 60}.`), now), "token_invalid"],
    ["the expiry written with leading zeros up to 12 digits", async () => checkToken(secret, id, (await signToken(secret, id, now + 60)).replace(`v1.${now + 60}.`, `v1.00${now + 60}.`), now), "token_invalid"],
    ["the signature's last character changed in its unused bits only", async () => checkToken(secret, id, otherSpelling(await signToken(secret, id, now + 60)), now), "token_invalid"],
  ] as const)("rejects %s", async (_name, check, expected) => {
    expect(await check()).toBe(expected);
  });
});
