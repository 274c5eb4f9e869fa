import { describe, expect, it } from "vitest";
import { OperatorCache, resolveOperator, type CachedOperator } from "../../src/auth/operator-cache.ts";
import { hashOperatorKey, isOperatorKey, keyPrefix, newOperatorKey } from "../../src/auth/operator-key.ts";
import { checkRole, ROLES, ROUTE_ROLES } from "../../src/auth/roles.ts";
import { seededBytes } from "../support/seeded-bytes.ts";

const ada: CachedOperator = { id: "op_ada", name: "Ada", role: "admin", team: null };
const bob: CachedOperator = { id: "op_bob", name: "Bob", role: "agent", team: "eu" };

describe("operator keys", () => {
  it("are hf_ and 43 base64url characters (256 bits), different every time", () => {
    const random = seededBytes(1);
    const a = newOperatorKey(random);
    expect(a).toMatch(/^hf_[A-Za-z0-9_-]{43}$/);
    expect(isOperatorKey(a)).toBe(true);
    expect(newOperatorKey(random)).not.toBe(a);
  });

  it("hash to SHA-256 hex, and show only a short prefix", async () => {
    const key = newOperatorKey(seededBytes(2));
    expect(await hashOperatorKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashOperatorKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(keyPrefix(key)).toBe(key.slice(0, 9));
  });

  it.each(["", "hf_short", "hx_" + "a".repeat(43), "hf_" + "a".repeat(42) + "!"])("rejects the shape of %j", (key) => {
    expect(isOperatorKey(key)).toBe(false);
  });
});

describe("roles", () => {
  it.each([
    ["admin", ROUTE_ROLES.manageOperators, true],
    ["kb_editor", ROUTE_ROLES.manageOperators, false],
    ["kb_editor", ROUTE_ROLES.editKb, true],
    ["agent", ROUTE_ROLES.editKb, false],
    ["agent", ROUTE_ROLES.handleConversations, true],
    ["ops_viewer", ROUTE_ROLES.handleConversations, false],
    ["ops_viewer", ROUTE_ROLES.viewOps, true],
    ["superuser", ROUTE_ROLES.viewOps, false],
    [undefined, ROUTE_ROLES.viewOps, false],
  ] as const)("%s on a route for %j: allowed %s", (role, allowed, expected) => {
    expect(checkRole(role, allowed)).toEqual(expected ? { allowed: true } : { allowed: false, code: "forbidden" });
  });

  it("lets every role see ops, and only admins manage operators", () => {
    expect(ROLES.filter((r) => checkRole(r, ROUTE_ROLES.viewOps).allowed)).toEqual([...ROLES]);
    expect(ROLES.filter((r) => checkRole(r, ROUTE_ROLES.manageOperators).allowed)).toEqual(["admin"]);
  });
});

describe("the operator cache with a fake clock", () => {
  it("serves a verified key for the TTL, then asks again", () => {
    const cache = new OperatorCache({ ttlMs: 60_000 });
    cache.put("h1", ada, 0);
    expect(cache.get("h1", 59_999)).toEqual({ status: "fresh", operator: ada });
    expect(cache.get("h1", 60_000)).toEqual({ status: "miss", stale: ada });
  });

  it("rejects an unknown key for the shorter negative TTL only", () => {
    const cache = new OperatorCache({ negativeTtlMs: 5_000 });
    cache.put("bad", null, 0);
    expect(cache.get("bad", 4_999)).toEqual({ status: "unknown" });
    expect(cache.get("bad", 5_000)).toEqual({ status: "miss", stale: null });
  });

  it("offers a stale entry up to the stale-if-error bound, and nothing after", () => {
    const cache = new OperatorCache({ ttlMs: 60_000, staleIfErrorMs: 900_000 });
    cache.put("h1", ada, 0);
    expect(cache.get("h1", 899_999)).toEqual({ status: "miss", stale: ada });
    expect(cache.get("h1", 900_000)).toEqual({ status: "miss", stale: null });
    expect(cache.size).toBe(0);
  });

  it("forgets a key at once, by hash or by operator", () => {
    const cache = new OperatorCache();
    cache.put("h1", ada, 0);
    cache.put("h2", bob, 0);
    cache.forget("h1");
    cache.forgetOperator("op_bob");
    expect([cache.get("h1", 1), cache.get("h2", 1)]).toEqual([{ status: "miss", stale: null }, { status: "miss", stale: null }]);
  });

  it("stays within its size bound, dropping the least recently used", () => {
    const cache = new OperatorCache({ maxEntries: 2 });
    cache.put("a", ada, 0);
    cache.put("b", bob, 0);
    cache.get("a", 1);
    cache.put("c", bob, 2);
    expect(cache.size).toBe(2);
    expect(cache.get("b", 3).status).toBe("miss");
    expect(cache.get("a", 3).status).toBe("fresh");
  });

  it("keeps unknown keys apart: a scan of random keys neither evicts a real operator nor grows without bound", () => {
    const cache = new OperatorCache({ maxEntries: 1_000, maxNegativeEntries: 100 });
    cache.put("ada", ada, 0);
    for (let i = 0; i < 5_000; i++) cache.put(`random-${i}`, null, 1);
    expect(cache.get("ada", 2)).toEqual({ status: "fresh", operator: ada });
    expect(cache.size).toBe(101);
    expect(cache.get("random-4999", 2)).toEqual({ status: "unknown" });
    expect(cache.get("random-0", 2)).toEqual({ status: "miss", stale: null });
  });

  it("moves a key between verified and unknown, never holding both", () => {
    const cache = new OperatorCache();
    cache.put("h1", null, 0);
    cache.put("h1", ada, 1);
    expect(cache.get("h1", 2)).toEqual({ status: "fresh", operator: ada });
    cache.put("h1", null, 3);
    expect(cache.get("h1", 4)).toEqual({ status: "unknown" });
    expect(cache.size).toBe(1);
  });
});

describe("resolving an operator key", () => {
  const primaryDown = async (): Promise<CachedOperator | null> => {
    throw new Error("primary unreachable");
  };

  it("asks the primary once, then answers from the cache within the TTL", async () => {
    const cache = new OperatorCache();
    let calls = 0;
    const lookup = async () => (calls++, ada);
    expect(await resolveOperator(cache, "h1", 0, lookup)).toEqual({ ok: true, operator: ada, source: "primary" });
    expect(await resolveOperator(cache, "h1", 30_000, lookup)).toEqual({ ok: true, operator: ada, source: "cache" });
    expect(calls).toBe(1);
  });

  it("sees a revocation once the TTL has passed (the revocation bound)", async () => {
    const cache = new OperatorCache({ ttlMs: 60_000 });
    await resolveOperator(cache, "h1", 0, async () => ada);
    expect(await resolveOperator(cache, "h1", 59_000, async () => null)).toMatchObject({ ok: true, source: "cache" });
    expect(await resolveOperator(cache, "h1", 60_000, async () => null)).toEqual({ ok: false, code: "operator_key_invalid" });
  });

  it("keeps a recently seen operator working while the primary is down, but not a stranger", async () => {
    const cache = new OperatorCache();
    await resolveOperator(cache, "h1", 0, async () => ada);
    expect(await resolveOperator(cache, "h1", 10 * 60_000, primaryDown)).toEqual({ ok: true, operator: ada, source: "stale" });
    expect(await resolveOperator(cache, "h1", 16 * 60_000, primaryDown)).toEqual({ ok: false, code: "primary_unavailable" });
    expect(await resolveOperator(cache, "h2", 0, primaryDown)).toEqual({ ok: false, code: "primary_unavailable" });
  });

  it("still answers a real operator from the cache after 2,000 random keys, with the default bounds", async () => {
    const cache = new OperatorCache();
    let calls = 0;
    await resolveOperator(cache, "h1", 0, async () => (calls++, ada));
    for (let i = 0; i < 2_000; i++) expect(await resolveOperator(cache, `scan-${i}`, 1, async () => null)).toEqual({ ok: false, code: "operator_key_invalid" });
    expect(await resolveOperator(cache, "h1", 2, async () => (calls++, ada))).toEqual({ ok: true, operator: ada, source: "cache" });
    expect(calls).toBe(1);
  });

  it("does not serve a stale entry when the primary answers that the key is gone", async () => {
    const cache = new OperatorCache();
    await resolveOperator(cache, "h1", 0, async () => ada);
    expect(await resolveOperator(cache, "h1", 120_000, async () => null)).toEqual({ ok: false, code: "operator_key_invalid" });
    expect(await resolveOperator(cache, "h1", 121_000, primaryDown)).toEqual({ ok: false, code: "operator_key_invalid" });
  });
});
