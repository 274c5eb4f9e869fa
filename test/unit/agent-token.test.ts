import { describe, expect, it } from "vitest";
import { checkAgentToken, signAgentToken, type AgentClaims } from "../../src/auth/agent-token.ts";
import { checkToken, signToken } from "../../src/auth/token.ts";
import { otherSpelling } from "../support/token-spelling.ts";

const secret = "unit-test-secret-0123456789";
const now = 1_800_000_000;
const claims: AgentClaims = { id: "op_0123456789abcdef", name: "Ana Lima 李娜", role: "agent", team: "support", exp: now + 3600 };

describe("agent session tokens", () => {
  it("verify with their claims, and are valid WebSocket subprotocol tokens", async () => {
    const token = await signAgentToken(secret, claims);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(await checkAgentToken(secret, token, now)).toEqual({ ok: true, claims });
  });

  it.each([
    ["an expired session", async (): Promise<string> => signAgentToken(secret, { ...claims, exp: now }), "token_expired"],
    ["another secret", async (): Promise<string> => signAgentToken("another-secret-0123456789", claims), "token_invalid"],
    ["changed claims", async (): Promise<string> => {
      const [prefix, , sig] = (await signAgentToken(secret, claims)).split(".");
      const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url");
      return `${prefix}.${forged}.${sig}`;
    }, "token_invalid"],
    ["garbage", async (): Promise<string> => "garbage", "token_invalid"],
    ["a truncated signature", async (): Promise<string> => (await signAgentToken(secret, claims)).slice(0, -3), "token_invalid"],
    ["the signature's last character changed in its unused bits only", async (): Promise<string> => otherSpelling(await signAgentToken(secret, claims)), "token_invalid"],
  ] as const)("reject %s", async (_name, make, code) => {
    expect(await checkAgentToken(secret, await make(), now)).toEqual({ ok: false, code });
  });

  it("a conversation token is never an agent token, and an agent token never a conversation token", async () => {
    const conversationId = "a".repeat(64);
    const conversationToken = await signToken(secret, conversationId, now + 60);
    expect(await checkAgentToken(secret, conversationToken, now)).toEqual({ ok: false, code: "token_invalid" });
    expect(await checkToken(secret, conversationId, await signAgentToken(secret, claims), now)).toBe("token_invalid");
  });
});
