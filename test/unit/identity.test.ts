import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signCustomer, subjectKey, verifyCustomerSignature } from "../../src/privacy/identity.ts";

const secret = "shop-signing-secret-0123456789";

describe("customer identity verification", () => {
  it("signs like the shops' servers do: hex HMAC-SHA256 of the id (checked against Node's crypto)", async () => {
    expect(await signCustomer(secret, "cust_42")).toBe(createHmac("sha256", secret).update("cust_42").digest("hex"));
  });

  it("accepts the customer's own signature, in either hex case", async () => {
    const sig = await signCustomer(secret, "cust_42");
    expect(await verifyCustomerSignature(secret, "cust_42", sig)).toBe(true);
    expect(await verifyCustomerSignature(secret, "cust_42", sig.toUpperCase())).toBe(true);
  });

  it.each([
    ["another customer's signature", async () => verifyCustomerSignature(secret, "cust_43", await signCustomer(secret, "cust_42"))],
    ["a signature under another secret", async () => verifyCustomerSignature(secret, "cust_42", await signCustomer("another-secret-0123456789", "cust_42"))],
    ["one changed hex digit", async () => {
      const sig = await signCustomer(secret, "cust_42");
      return verifyCustomerSignature(secret, "cust_42", (sig[0] === "0" ? "1" : "0") + sig.slice(1));
    }],
    ["a truncated signature", async () => verifyCustomerSignature(secret, "cust_42", (await signCustomer(secret, "cust_42")).slice(0, 62))],
    ["non-hex", async () => verifyCustomerSignature(secret, "cust_42", "z".repeat(64))],
    ["an empty id", async () => verifyCustomerSignature(secret, "", await signCustomer(secret, "x"))],
    ["an id with a control character", async () => verifyCustomerSignature(secret, "cust\u000042", await signCustomer(secret, "cust_42"))],
  ])("rejects %s", async (_name, check) => {
    expect(await check()).toBe(false);
  });

  it("refuses to work with a missing or short secret instead of calling every signature wrong", async () => {
    await expect(verifyCustomerSignature("", "cust_42", "0".repeat(64))).rejects.toThrow(RangeError);
    await expect(signCustomer("short", "cust_42")).rejects.toThrow(RangeError);
  });
});

describe("subject keys", () => {
  it("are stable, 64 hex characters, and differ per customer and per secret", async () => {
    const a = await subjectKey(secret, "cust_42");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await subjectKey(secret, "cust_42")).toBe(a);
    expect(await subjectKey(secret, "cust_43")).not.toBe(a);
    expect(await subjectKey("another-secret-0123456789", "cust_42")).not.toBe(a);
  });

  it("do not reveal the id, and are not the customer's signature", async () => {
    const key = await subjectKey(secret, "cust_42");
    expect(key).not.toContain("cust_42");
    expect(key).not.toBe(await signCustomer(secret, "cust_42"));
    expect(key).not.toBe(createHmac("sha256", "").update("cust_42").digest("hex"));
  });
});
