import { describe, expect, it } from "vitest";
import { GENESIS_HASH, nextEntry, verifyChain, type AuditEntry, type AuditFields } from "../../src/privacy/audit-chain.ts";

const T0 = Date.UTC(2026, 0, 1);
const fields = (i: number): AuditFields => ({ actor: `op_${i % 3}`, role: "admin", action: "operator.create", target: `op_${i}`, outcome: i % 4 === 3 ? "denied" : "ok" });

async function chain(n: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) out.push(await nextEntry(out.at(-1) ?? null, fields(i), T0 + i * 1000));
  return out;
}

describe("the audit chain", () => {
  it("starts at seq 1 after 64 zeros and links each entry to the previous hash", async () => {
    const [a, b] = await chain(2);
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, at: "2026-01-01T00:00:00.000Z" });
    expect(a!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatchObject({ seq: 2, prevHash: a!.hash });
  });

  it("verifies an intact chain and reports its length and head", async () => {
    const entries = await chain(10);
    expect(await verifyChain(entries)).toEqual({ ok: true, count: 10, head: { seq: 10, hash: entries[9]!.hash } });
    expect(await verifyChain([])).toEqual({ ok: true, count: 0, head: null });
  });

  it("verifies page by page when each page starts from the previous page's head", async () => {
    const entries = await chain(7);
    const first = await verifyChain(entries.slice(0, 4));
    expect(first.ok).toBe(true);
    expect(await verifyChain(entries.slice(4), first.ok ? first.head : null)).toMatchObject({ ok: true, count: 3 });
    expect(await verifyChain(entries.slice(4))).toMatchObject({ ok: false, brokenAt: 1, reason: "seq_gap" });
  });

  it.each<[string, (e: AuditEntry[]) => AuditEntry[], number, string]>([
    ["an edited actor", (e) => e.map((x) => (x.seq === 3 ? { ...x, actor: "op_evil" } : x)), 3, "hash_mismatch"],
    ["an edited outcome", (e) => e.map((x) => (x.seq === 2 ? { ...x, outcome: "ok" as const, target: "op_x" } : x)), 2, "hash_mismatch"],
    ["an edited time", (e) => e.map((x) => (x.seq === 5 ? { ...x, at: "2020-01-01T00:00:00.000Z" } : x)), 5, "hash_mismatch"],
    ["a removed entry", (e) => e.filter((x) => x.seq !== 4), 4, "seq_gap"],
    ["swapped entries", (e) => [e[0]!, e[2]!, e[1]!, ...e.slice(3)], 2, "seq_gap"],
    ["a rehashed edit that does not relink the next entry", (e) => e.map((x) => (x.seq === 3 ? { ...x, hash: "f".repeat(64) } : x)), 3, "hash_mismatch"],
    ["an entry spliced in from another chain", (e) => e.map((x) => (x.seq === 4 ? { ...x, prevHash: "a".repeat(64) } : x)), 4, "prev_hash_mismatch"],
    ["a non-hex hash", (e) => e.map((x) => (x.seq === 6 ? { ...x, hash: "not a hash" } : x)), 6, "malformed"],
  ])("detects %s", async (_name, tamper, brokenAt, reason) => {
    expect(await verifyChain(tamper(await chain(6)))).toEqual({ ok: false, brokenAt, reason });
  });

  it("detects an edit that recomputes the edited entry's own hash, at the next entry", async () => {
    const entries = await chain(5);
    const { hash: _h, ...body } = { ...entries[1]!, actor: "op_evil" };
    entries[1] = await nextEntry({ seq: 1, hash: entries[0]!.hash }, { ...body }, Date.parse(body.at));
    expect(await verifyChain(entries)).toEqual({ ok: false, brokenAt: 3, reason: "prev_hash_mismatch" });
  });

  it("cannot be fooled by moving text between fields (the encoding is unambiguous)", async () => {
    const a = await nextEntry(null, { actor: "a", role: "b,c", action: "x", target: "t", outcome: "ok" }, T0);
    const b = await nextEntry(null, { actor: "a,b", role: "c", action: "x", target: "t", outcome: "ok" }, T0);
    expect(a.hash).not.toBe(b.hash);
  });
});
