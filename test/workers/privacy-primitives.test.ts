// The privacy foundations in workerd: WebCrypto there (envelope encryption, signatures, the
// audit chain), and the operator repository through the Worker's own client
// (@libsql/client/web via openPrimary) against the KB primary.
import { env } from "cloudflare:workers";
import { testPrimary } from "./helpers.ts";
import { describe, expect, it } from "vitest";
import { hashOperatorKey } from "../../src/auth/operator-key.ts";
import { appendAudit, createOperator, operatorByKeyHash, revokeOperator, verifyAudit } from "../../src/operators/repository.ts";
import { nextEntry, verifyChain } from "../../src/privacy/audit-chain.ts";
import { createDataKey, open, parseKeyring, rewrap, seal, unwrapDataKey } from "../../src/privacy/envelope.ts";
import { signCustomer, subjectKey, verifyCustomerSignature } from "../../src/privacy/identity.ts";
import { redact } from "../../src/privacy/redact.ts";

const key = (fill: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(fill)));
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe("privacy primitives in workerd", () => {
  it("encrypts, rotates and detects tampering with workerd's WebCrypto", async () => {
    const old = parseKeyring(`k1:${key(1)}`)!;
    const rotated = parseKeyring(`k2:${key(2)},k1:${key(1)}`)!;
    const { key: dataKey, wrapped } = await createDataKey(old, "conv-1");
    expect(dataKey.cryptoKey.extractable).toBe(false);
    const sealed = await seal(dataKey, "我的订单 arrived", "m1");
    const moved = await rewrap(rotated, wrapped, "conv-1");
    expect(moved.startsWith("k2.")).toBe(true);
    expect(await open(await unwrapDataKey(rotated, moved, "conv-1"), sealed, "m1")).toBe("我的订单 arrived");
    await expect(open(dataKey, sealed, "m2")).rejects.toMatchObject({ code: "tampered" });
  });

  it("verifies customer signatures and derives subject keys", async () => {
    const secret = "workerd-signing-secret-0123";
    expect(await verifyCustomerSignature(secret, "cust_1", await signCustomer(secret, "cust_1"))).toBe(true);
    expect(await verifyCustomerSignature(secret, "cust_2", await signCustomer(secret, "cust_1"))).toBe(false);
    expect(await subjectKey(secret, "cust_1")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("chains audit entries and redacts text", async () => {
    const a = await nextEntry(null, { actor: "op_1", role: "admin", action: "x", target: "t", outcome: "ok" }, 0);
    expect(await verifyChain([a, await nextEntry(a, { actor: "op_1", role: "admin", action: "y", target: "t", outcome: "ok" }, 1)])).toMatchObject({ ok: true, count: 2 });
    expect(redact("手机13812345678").text).toBe("手机[phone]");
  });

  it("keeps operators and the audit log in the KB primary through the Worker's client", async () => {
    const db = testPrimary();
    const { operator, key: operatorKey } = await createOperator(db, { name: "Workerd Ada", role: "kb_editor" }, { now: Date.now(), random });
    expect(await operatorByKeyHash(db, await hashOperatorKey(operatorKey))).toMatchObject({ id: operator.id });
    await Promise.all([1, 2, 3].map((i) => appendAudit(db, { actor: operator.id, role: operator.role, action: "kb.article.save", target: `en:a-${i}`, outcome: "ok" }, Date.now())));
    expect(await revokeOperator(db, operator.id, Date.now())).toBe(true);
    expect(await operatorByKeyHash(db, await hashOperatorKey(operatorKey))).toBeNull();
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });
});
