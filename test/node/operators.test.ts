// Operators and the audit log on a real libSQL file, and the audit CLI against it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashOperatorKey } from "../../src/auth/operator-key.ts";
import {
  allAudit,
  appendAudit,
  auditHead,
  auditPage,
  createOperator,
  listOperators,
  operatorByKeyHash,
  revokeOperator,
  rotateOperatorKey,
  verifyAudit,
} from "../../src/operators/repository.ts";
import type { KbDatabase } from "../../src/kb/articles.ts";
import * as schema from "../../src/kb/schema.ts";
import type { AuditFields } from "../../src/privacy/audit-chain.ts";
import { newAuthToken, startHranaServer } from "../../scripts/hrana/server.ts";
import { migrateKb, openKb } from "../../scripts/kb.ts";
import { seededBytes } from "../support/seeded-bytes.ts";

let dir: string;
let url: string;
let db: ReturnType<typeof openKb>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "operators-"));
  url = `file:${join(dir, "kb.db")}`;
  db = openKb(url);
  await migrateKb(db);
});

afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const sources = (seed: number, now = 1_000) => ({ now, random: seededBytes(seed) });
const fields = (i: number): AuditFields => ({ actor: "op_admin", role: "admin", action: "kb.article.save", target: `en:article-${i}`, outcome: "ok" });

describe("operators", () => {
  it("creates an operator and returns its key once; the key then finds the operator by hash", async () => {
    const { operator, key } = await createOperator(db, { name: "Ada", role: "admin", team: "core" }, sources(1));
    expect(operator).toMatchObject({ name: "Ada", role: "admin", team: "core", keyPrefix: key.slice(0, 9), createdAt: 1_000, rotatedAt: null, revokedAt: null });
    expect(operator.id).toMatch(/^op_[0-9a-f]{16}$/);
    expect(await operatorByKeyHash(db, await hashOperatorKey(key))).toEqual(operator);
    expect(await operatorByKeyHash(db, await hashOperatorKey(key + "x"))).toBeNull();
  });

  it("never stores the key: not in any column, not anywhere in the database files", async () => {
    const { key } = await createOperator(db, { name: "Ada", role: "admin" }, sources(2));
    const rotated = await rotateOperatorKey(db, (await listOperators(db))[0]!.id, sources(3, 2_000));
    const rows = await db.$client.execute("SELECT * FROM operators");
    const text = JSON.stringify(rows.rows);
    const files = [join(dir, "kb.db"), join(dir, "kb.db-wal")].filter(existsSync).map((f) => readFileSync(f).toString("latin1"));
    for (const k of [key, rotated!.key]) {
      expect(text).not.toContain(k);
      for (const f of files) expect(f).not.toContain(k);
    }
    expect(text).toContain(await hashOperatorKey(rotated!.key));
  });

  it("lists operators, oldest first, revoked ones included", async () => {
    const a = await createOperator(db, { name: "Ada", role: "admin" }, sources(4, 1));
    const b = await createOperator(db, { name: "Bob", role: "agent", team: "eu" }, sources(5, 2));
    await revokeOperator(db, b.operator.id, 3);
    expect((await listOperators(db)).map((o) => [o.name, o.role, o.team, o.revokedAt])).toEqual([
      ["Ada", "admin", null, null],
      ["Bob", "agent", "eu", 3],
    ]);
    expect(JSON.stringify(await listOperators(db))).not.toContain(await hashOperatorKey(a.key));
  });

  it("rotates a key: the new key works, the old one no longer does", async () => {
    const { operator, key } = await createOperator(db, { name: "Ada", role: "kb_editor" }, sources(6));
    const rotated = await rotateOperatorKey(db, operator.id, sources(7, 5_000));
    expect(rotated!.key).not.toBe(key);
    expect(rotated!.operator).toMatchObject({ id: operator.id, rotatedAt: 5_000, keyPrefix: rotated!.key.slice(0, 9) });
    expect(await operatorByKeyHash(db, await hashOperatorKey(key))).toBeNull();
    expect(await operatorByKeyHash(db, await hashOperatorKey(rotated!.key))).toMatchObject({ id: operator.id });
  });

  it("revokes an operator: its key stops working, it cannot be rotated back, and revoking twice says so", async () => {
    const { operator, key } = await createOperator(db, { name: "Bob", role: "agent" }, sources(8));
    expect(await revokeOperator(db, operator.id, 9_000)).toBe(true);
    expect(await operatorByKeyHash(db, await hashOperatorKey(key))).toBeNull();
    expect(await rotateOperatorKey(db, operator.id, sources(9))).toBeNull();
    expect(await revokeOperator(db, operator.id, 9_500)).toBe(false);
    expect(await revokeOperator(db, "op_missing", 9_500)).toBe(false);
  });

  it.each([
    ["an empty name", { name: " ", role: "admin" as const }],
    ["an unknown role", { name: "Eve", role: "root" as unknown as "admin" }],
    ["an over-long team", { name: "Eve", role: "agent" as const, team: "t".repeat(65) }],
  ])("refuses %s with validation_failed, naming the field only", async (_name, input) => {
    await expect(createOperator(db, input, sources(10))).rejects.toMatchObject({ code: "validation_failed" });
    expect(await listOperators(db)).toEqual([]);
  });
});

describe("the audit log", () => {
  it("appends a chain that verifies, and pages through it in order", async () => {
    for (let i = 0; i < 7; i++) await appendAudit(db, fields(i), Date.UTC(2026, 0, 1) + i);
    expect(await verifyAudit(db, 3)).toMatchObject({ ok: true, count: 7, head: { seq: 7 } });
    expect((await auditPage(db, 2, 2)).map((e) => e.seq)).toEqual([3, 4]);
    const pages: number[][] = [];
    for await (const page of allAudit(db, 3)) pages.push(page.map((e) => e.seq));
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect((await auditHead(db))!.seq).toBe(7);
  });

  it("keeps one valid chain under concurrent appends through one client", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendAudit(db, fields(i), 1_000 + i)));
    expect(await verifyAudit(db, 7)).toMatchObject({ ok: true, count: 40 });
    const targets = (await auditPage(db, 0, 100)).map((e) => e.target).sort();
    expect(targets).toEqual(Array.from({ length: 40 }, (_, i) => `en:article-${i}`).sort());
  });

  it("keeps one valid chain when two isolates append at once (two web clients over Hrana, as the Worker talks to sqld)", async () => {
    db.$client.close();
    const server = await startHranaServer({ path: join(dir, "kb.db"), port: 0, authToken: newAuthToken() });
    const clients = [0, 1].map(() => createClient({ url: server.url, authToken: server.authToken }));
    const isolates = clients.map((c) => drizzle(c, { schema }) as unknown as KbDatabase);
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => appendAudit(isolates[i % 2]!, fields(i), 1_000 + i)));
      expect(await verifyAudit(isolates[0]!, 7)).toMatchObject({ ok: true, count: 30 });
    } finally {
      clients.forEach((c) => c.close());
      await server.close();
      db = openKb(url);
    }
  });

  it("verifies an empty log", async () => {
    expect(await verifyAudit(db)).toEqual({ ok: true, count: 0, head: null });
  });

  describe("tampering through SQL", () => {
    const auditCli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", resolve("scripts/sql-text.ts"), resolve("scripts/audit.ts"), ...args], {
        env: { ...process.env, LIBSQL_URL: url } as NodeJS.ProcessEnv,
        encoding: "utf8",
      });

    beforeEach(async () => {
      for (let i = 0; i < 5; i++) await appendAudit(db, fields(i), 2_000 + i);
    });

    it("an intact log passes the CLI with exit code 0", () => {
      const run = auditCli("verify", "--page", "2");
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("Audit chain intact: 5 entries");
    });

    it.each([
      ["an edited actor", "UPDATE audit_log SET actor = 'op_evil' WHERE seq = 3", 3, "hash_mismatch"],
      ["an edited outcome", "UPDATE audit_log SET outcome = 'ok', action = 'operator.revoke' WHERE seq = 2", 2, "hash_mismatch"],
      ["a deleted row", "DELETE FROM audit_log WHERE seq = 4", 4, "seq_gap"],
      ["a relinked row", "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 3", 3, "prev_hash_mismatch"],
    ])("%s is found by verify and fails the CLI with a non-zero exit code", async (_name, statement, brokenAt, reason) => {
      await db.$client.execute(statement);
      expect(await verifyAudit(db, 2)).toEqual({ ok: false, brokenAt, reason });
      const run = auditCli("verify");
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`broken at seq ${brokenAt} (${reason})`);
    });
  });
});
