// `npm run backup` and `npm run restore` on real libSQL files, with the dev endpoint serving
// them where it says so: a snapshot taken under writes is one consistent point; a restore
// brings back articles (drafts and tombstones too), operators and the audit log, verified;
// a tampered, truncated or re-chained snapshot is refused with its reason and the live file
// is left alone; a running endpoint swaps the restored file in; BACKUP_KEEP is kept.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseLine, parseManifest, type BackupManifest, type DumpLine, type DumpValue } from "../../src/backup/dump-format.ts";
import type { RefusalReason } from "../../src/backup/verify.ts";
import { allArticles, deleteArticle, importArticles, kbHead, saveArticle } from "../../src/kb/articles.ts";
import { appendAudit, auditPage, createOperator, listOperators, verifyAudit } from "../../src/operators/repository.ts";
import { newAuthToken, startHranaServer, type HranaServer } from "../../scripts/hrana/server.ts";
import { migrateKb, openKb } from "../../scripts/kb.ts";
import { readSource } from "../../scripts/kb/source.ts";
import { buildVerified } from "../../scripts/backup/restore.ts";
import { dumpClient, takeSnapshot } from "../../scripts/backup/snapshots.ts";

let dir: string;
let server: HranaServer | null = null;
const random = (n: number) => new Uint8Array(randomBytes(n));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "backup-"));
});

afterEach(async () => {
  await server?.close();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a CLI asynchronously (the endpoint it may talk to runs in this process). */
function cli(script: "backup" | "restore", args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [resolve(`scripts/${script}.ts`), ...args], { env: { ...process.env, LIBSQL_URL: "", ...env }, encoding: "utf8" }, (err, stdout, stderr) =>
      done({ status: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

async function freshKb(path: string): Promise<ReturnType<typeof openKb>> {
  const kb = openKb(`file:${path}`);
  await migrateKb(kb);
  return kb;
}

const backups = () => join(dir, "backups");
const manifests = () => readdirSync(backups()).filter((f) => f.endsWith(".manifest.json"));
const readManifest = (name: string): BackupManifest => parseManifest(readFileSync(join(backups(), `${name}.manifest.json`), "utf8"))!;
const only = () => manifests()[0]!.replace(".manifest.json", "");

/** Rewrites a dump line by line and makes its manifest agree (what someone who can write the backups could do). */
function forge(name: string, edit: (lines: DumpLine[]) => DumpLine[], manifestEdit: (m: BackupManifest) => BackupManifest = (m) => m): void {
  const dumpPath = join(backups(), `${name}.ndjson`);
  const lines = readFileSync(dumpPath, "utf8").trim().split("\n").map((l) => parseLine(l)!);
  const dump = `${edit(lines).map((l) => JSON.stringify(l)).join("\n")}\n`;
  writeFileSync(dumpPath, dump);
  const next = manifestEdit({ ...readManifest(name), sha256: createHash("sha256").update(dump).digest("hex"), bytes: Buffer.byteLength(dump) });
  writeFileSync(join(backups(), `${name}.manifest.json`), JSON.stringify(next));
}

/** The rows line of a table, edited. */
const rowsOf = (table: string, edit: (rows: DumpValue[][]) => DumpValue[][]) => (lines: DumpLine[]) => lines.map((l) => (l.type === "rows" && l.table === table ? { ...l, rows: edit(l.rows) } : l));
/** The end line's count of a table, set. */
const endCount = (table: string, n: number) => (lines: DumpLine[]) => lines.map((l) => (l.type === "end" ? { ...l, tables: { ...l.tables, [table]: n } } : l));

/** A KB with published and draft articles, a tombstone, operators and an audit chain. */
async function populated(path: string): Promise<ReturnType<typeof openKb>> {
  const kb = await freshKb(path);
  await importArticles(kb, readSource(resolve("kb/demo"), {}).slice(0, 20), 1_000);
  await saveArticle(kb, { slug: "draft-one", locale: "en", title: "A draft", answer: "Not yet.", questions: ["Is it out?"], tags: [], status: "draft" }, 2_000);
  await saveArticle(kb, { slug: "gone", locale: "en", title: "Gone", answer: "Deleted.", questions: [], tags: [], status: "published" }, 2_000);
  await deleteArticle(kb, "en:gone", 3_000);
  for (const role of ["admin", "kb_editor", "agent"] as const) {
    const { operator } = await createOperator(kb, { name: `Op ${role}`, role, team: role === "agent" ? "support" : null }, { now: 4_000, random });
    await appendAudit(kb, { actor: "cli", role: "system", action: "operator.create", target: operator.id, outcome: "ok" }, 4_000);
  }
  return kb;
}

describe("npm run backup", () => {
  it("takes one consistent snapshot while the endpoint keeps writing, stamped with the KB version and audit head", async () => {
    const path = join(dir, "kb.db");
    const kb = await populated(path);
    kb.$client.close();
    server = await startHranaServer({ path, port: 0, authToken: newAuthToken() });
    const remote = openKb(server.url, server.authToken);
    let writes = 0;
    let stop = false;
    const writing = (async () => {
      while (!stop) await saveArticle(remote, { slug: `live-${writes++}`, locale: "en", title: `Live ${writes}`, answer: "Written during the backup.", questions: ["q"], tags: [], status: "published" }, Date.now());
    })();
    await new Promise((r) => setTimeout(r, 100));
    const run = await cli("backup", ["--db", path, "--dir", backups()]);
    stop = true;
    await writing;
    remote.$client.close();
    expect(run.status).toBe(0);
    const m = readManifest(only());
    expect(m.kbVersion).toBeGreaterThan(23);
    expect(m.auditHead?.seq).toBe(3);

    const out = join(dir, "restored.db");
    expect((await cli("restore", ["--from", "latest", "--dir", backups(), "--out", out])).status).toBe(0);
    const restored = openKb(`file:${out}`);
    const articles = await allArticles(restored);
    // A point in time: every write up to its version, none after.
    const live = articles.filter((a) => a.slug.startsWith("live-"));
    expect(Math.max(...articles.map((a) => a.version))).toBe(m.kbVersion);
    expect(live.length).toBe(m.kbVersion - 23);
    expect(writes).toBeGreaterThan(live.length);
    restored.$client.close();
  });

  it("keeps only the newest BACKUP_KEEP snapshots", async () => {
    const path = join(dir, "kb.db");
    const kb = await populated(path);
    for (let i = 0; i < 4; i++) {
      await saveArticle(kb, { slug: `k-${i}`, locale: "en", title: `K ${i}`, answer: "x", questions: [], tags: [], status: "published" }, 5_000 + i);
      expect((await cli("backup", ["--db", path, "--dir", backups()], { BACKUP_KEEP: "2" })).status).toBe(0);
    }
    kb.$client.close();
    const kept = manifests().map((f) => readManifest(f.replace(".manifest.json", "")).kbVersion).sort((a, b) => a - b);
    expect(kept).toHaveLength(2);
    expect(readdirSync(backups()).filter((f) => f.endsWith(".ndjson"))).toHaveLength(2);
    expect(kept[1]! - kept[0]!).toBe(1);
  });
});

describe("npm run restore", () => {
  it("brings back articles (drafts and tombstones), operators and the audit log into a fresh primary, chained on with kb.restore and a new epoch", async () => {
    const path = join(dir, "kb.db");
    const kb = await populated(path);
    const before = { articles: await allArticles(kb), operators: await listOperators(kb), audit: await auditPage(kb, 0, 100), tombstone: (await kb.$client.execute("SELECT deleted_at FROM articles WHERE id = 'en:gone'")).rows[0]![0] };
    const head = await kbHead(kb);
    kb.$client.close();
    expect((await cli("backup", ["--db", path, "--dir", backups()])).status).toBe(0);
    // The primary is lost.
    for (const f of readdirSync(dir).filter((f) => f.startsWith("kb.db"))) rmSync(join(dir, f));

    const run = await cli("restore", ["--from", "latest", "--dir", backups(), "--db", path]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Verified");
    const back = openKb(`file:${path}`);
    expect(await allArticles(back)).toEqual(before.articles);
    expect(before.articles.some((a) => a.status === "draft")).toBe(true);
    expect((await back.$client.execute("SELECT deleted_at FROM articles WHERE id = 'en:gone'")).rows[0]![0]).toBe(before.tombstone);
    expect(await listOperators(back)).toEqual(before.operators);
    const audit = await auditPage(back, 0, 100);
    expect(audit.slice(0, -1)).toEqual(before.audit);
    expect(audit.at(-1)).toMatchObject({ seq: 4, actor: "cli", action: "kb.restore", target: only(), outcome: "ok" });
    expect(await verifyAudit(back)).toMatchObject({ ok: true, count: 4 });
    const after = await kbHead(back);
    expect(after.version).toBe(head.version);
    expect(after.epoch).toBeGreaterThan(0);
    // New writes go on from the snapshot's version.
    await saveArticle(back, { slug: "after", locale: "en", title: "After", answer: "x", questions: [], tags: [], status: "published" }, 9_000);
    expect((await kbHead(back)).version).toBe(head.version + 1);
    back.$client.close();
  });

  it("refuses a dump changed after it was taken (checksum), naming why, and leaves the live primary alone", async () => {
    const path = join(dir, "kb.db");
    (await populated(path)).$client.close();
    expect((await cli("backup", ["--db", path, "--dir", backups()])).status).toBe(0);
    const live = readFileSync(path);
    const dump = join(backups(), `${only()}.ndjson`);
    writeFileSync(dump, readFileSync(dump, "utf8").replace("Op admin", "Op admim"));
    const run = await cli("restore", ["--from", only(), "--dir", backups(), "--db", path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("(checksum_mismatch)");
    expect(run.stderr).toContain("Nothing was changed");
    expect(readFileSync(path).equals(live)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith(".restoring"))).toEqual([]);
  });

  it.each<[string, (name: string) => void, RefusalReason]>([
    ["an audit entry edited", (name) => forge(name, rowsOf("audit_log", (rows) => rows.map((r, i) => (i === 1 ? r.map((v) => (v === "operator.create" ? "operator.revoke" : v)) : r)))), "audit_chain_broken"],
    [
      "audit entries dropped from the end",
      (name) => forge(name, (lines) => endCount("audit_log", 2)(rowsOf("audit_log", (rows) => rows.slice(0, 2))(lines)), (m) => ({ ...m, tables: { ...m.tables, audit_log: 2 } })),
      "audit_head_mismatch",
    ],
    ["a truncated dump", (name) => forge(name, (lines) => lines.slice(0, 4)), "dump_invalid"],
    ["rows missing from a table", (name) => forge(name, rowsOf("operators", (rows) => rows.slice(1))), "row_counts_mismatch"],
    ["a header that is not its manifest's", (name) => forge(name, (lines) => lines, (m) => ({ ...m, kbVersion: m.kbVersion + 5 })), "header_mismatch"],
    ["SQL other than a CREATE where a table is made", (name) => forge(name, (lines) => lines.map((l) => (l.type === "table" && l.name === "kb_meta" ? { ...l, sql: "ATTACH 'x.db' AS x" } : l))), "dump_invalid"],
  ])("refuses %s (manifest made to agree)", async (_what, tamper, reason) => {
    const path = join(dir, "kb.db");
    const kb = await populated(path);
    const { manifest, dump } = await takeSnapshot(await dumpClient(`file:${path}`), backups(), 30);
    kb.$client.close();
    tamper(manifest.name);
    const staged = join(dir, "staged.db");
    const check = await buildVerified(dump, readManifest(manifest.name), staged);
    expect(check).toMatchObject({ ok: false, reason });
    expect(existsSync(staged)).toBe(false);
  });

  it("has the running dev endpoint swap the restored file in: its clients see the snapshot at once", async () => {
    const path = join(dir, "kb.db");
    (await populated(path)).$client.close();
    server = await startHranaServer({ path, port: 0, authToken: newAuthToken() });
    const remote = openKb(server.url, server.authToken);
    expect((await cli("backup", ["--db", path, "--dir", backups()])).status).toBe(0);
    const snapshot = readManifest(only());
    // Written after the snapshot: lost by the restore.
    await saveArticle(remote, { slug: "lost", locale: "en", title: "Lost", answer: "After the snapshot.", questions: [], tags: [], status: "published" }, 9_000);
    expect((await kbHead(remote)).version).toBe(snapshot.kbVersion + 1);

    const run = await cli("restore", ["--from", "latest", "--dir", backups(), "--db", path, "--endpoint", server.url], { LIBSQL_AUTH_TOKEN: server.authToken });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Swapped in by the running dev endpoint");
    const head = await kbHead(remote);
    expect(head.version).toBe(snapshot.kbVersion);
    expect(head.epoch).toBeGreaterThan(0);
    expect((await allArticles(remote)).some((a) => a.slug === "lost")).toBe(false);
    expect(existsSync(`${path}.restored`)).toBe(false);
    // Writes through the endpoint land in the restored file.
    await saveArticle(remote, { slug: "next", locale: "en", title: "Next", answer: "x", questions: [], tags: [], status: "published" }, 10_000);
    remote.$client.close();
    const local = openKb(`file:${path}`);
    expect((await allArticles(local)).some((a) => a.slug === "next")).toBe(true);
    local.$client.close();
  });
});
