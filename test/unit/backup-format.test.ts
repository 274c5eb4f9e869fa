// The backup format's pure parts: values keep their SQLite types through a dump, lines and
// manifests are parsed strictly, a dump loads into statements only in the order the format
// allows, retention keeps the newest, and a restored database is judged against its stamps.
import { describe, expect, it } from "vitest";
import { backupName, decodeValue, encodeValue, parseLine, parseManifest, type BackupManifest } from "../../src/backup/dump-format.ts";
import { DumpFormatError, loadDump, type Statement } from "../../src/backup/load.ts";
import { withoutRowid } from "../../src/backup/dump.ts";
import { expiredBackups } from "../../src/backup/retention.ts";
import { checkChecksum, checkLoaded, checkRestored } from "../../src/backup/verify.ts";

const HEAD = { seq: 3, hash: "a".repeat(64) };
const manifest: BackupManifest = {
  format: "holdfast.kb-dump.v1",
  name: "kb-20260105T120000.000Z-v12",
  createdAt: "2026-01-05T12:00:00.000Z",
  kbVersion: 12,
  epoch: 0,
  auditHead: HEAD,
  migration: "m1",
  tables: { articles: 2, audit_log: 3 },
  sha256: "b".repeat(64),
  bytes: 100,
};
const header = { type: "header", format: manifest.format, createdAt: manifest.createdAt, kbVersion: 12, epoch: 0, auditHead: HEAD, migration: "m1" };

async function* lines(...objects: unknown[]): AsyncGenerator<string> {
  for (const o of objects) yield typeof o === "string" ? o : JSON.stringify(o);
}

describe("dump values", () => {
  it.each<[string, unknown, unknown]>([
    ["an integer", 42n, 42n],
    ["an integer beyond 2^53", 2n ** 60n + 1n, 2n ** 60n + 1n],
    ["a negative one", -(2n ** 62n), -(2n ** 62n)],
    ["a real", 1.5, 1.5],
    ["a whole-number real (stays a real)", 2, 2],
    ["text", "日本 ✓", "日本 ✓"],
    ["null", null, null],
    ["an empty blob", new ArrayBuffer(0), new Uint8Array(0)],
  ])("keeps %s through JSON", (_what, value, back) => {
    const stored = JSON.parse(JSON.stringify(encodeValue(value)));
    expect(decodeValue(stored)).toEqual(back);
  });

  it("keeps blobs byte for byte", () => {
    const bytes = new Uint8Array([0, 255, 1, 128, 63, 62]);
    expect(decodeValue(JSON.parse(JSON.stringify(encodeValue(bytes.buffer))))).toEqual(bytes);
  });

  it("tags reals and large integers, so a restore binds them as the same SQLite type", () => {
    expect(encodeValue(3)).toEqual({ $real: 3 });
    expect(typeof decodeValue(7)).toBe("bigint");
    expect(encodeValue(2n ** 63n - 1n)).toEqual({ $int: "9223372036854775807" });
  });
});

describe("dump lines and manifests", () => {
  it.each([
    ["not JSON", "{"],
    ["an unknown type", JSON.stringify({ type: "drop", name: "x" })],
    ["a table made by other SQL", JSON.stringify({ type: "table", name: "t", sql: "ATTACH 'x' AS y", columns: ["a"] })],
    ["an index made by other SQL", JSON.stringify({ type: "schema", kind: "index", name: "i", sql: "DROP TABLE articles" })],
    ["an unknown field", JSON.stringify({ ...header, extra: 1 })],
    ["an integer that is not one", JSON.stringify({ type: "rows", table: "t", rows: [[{ $int: "1e9" }]] })],
  ])("refuses %s", (_what, text) => {
    expect(parseLine(text)).toBeNull();
  });

  it("reads a manifest and refuses one with a bad checksum field", () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    expect(parseManifest(JSON.stringify({ ...manifest, sha256: "xyz" }))).toBeNull();
  });

  it("names backups so that names sort by time", () => {
    const names = ["2026-01-05T12:00:00.000Z", "2026-01-05T12:00:00.999Z", "2026-01-05T12:00:01.000Z"].map((t, i) => backupName(t, [99, 100, 7][i]!));
    expect([...names].sort()).toEqual(names);
    expect(names[0]).toBe("kb-20260105T120000.000Z-v99");
  });
});

describe("loading a dump", () => {
  it("creates tables, inserts rows with their columns, sets sequences, then indexes", async () => {
    const applied: Statement[][] = [];
    const loaded = await loadDump(
      lines(
        header,
        { type: "table", name: "articles", sql: "CREATE TABLE articles (id TEXT, n INTEGER)", columns: ["id", "n"] },
        { type: "rows", table: "articles", rows: [["a", 1], ["b", { $int: "9007199254740993" }]] },
        { type: "sequence", name: "articles", seq: 2 },
        { type: "schema", kind: "index", name: "i", sql: "CREATE INDEX i ON articles (n)" },
        { type: "end", tables: { articles: 2 } },
      ),
      async (s) => void applied.push(s),
    );
    expect(applied.map((batch) => batch.map((s) => s.sql.split(" (")[0]))).toEqual([
      ["CREATE TABLE articles"],
      ['INSERT INTO "articles"', 'INSERT INTO "articles"'],
      ["DELETE FROM sqlite_sequence WHERE name = ?", "INSERT INTO sqlite_sequence"],
      ["CREATE INDEX i ON articles"],
    ]);
    expect(applied[1]![1]!.args).toEqual(["b", 9007199254740993n]);
    expect(loaded).toMatchObject({ stated: { articles: 2 }, loaded: { articles: 2 } });
  });

  it.each([
    ["no header first", [{ type: "end", tables: {} }], 1],
    ["rows before their table", [header, { type: "rows", table: "t", rows: [] }], 2],
    ["a row with too few values", [header, { type: "table", name: "t", sql: "CREATE TABLE t (a, b)", columns: ["a", "b"] }, { type: "rows", table: "t", rows: [[1]] }], 3],
    ["no end line (truncated)", [header], 0],
    ["lines after the end", [header, { type: "end", tables: {} }, header], 3],
  ])("stops at %s", async (_what, objects, line) => {
    const err = await loadDump(lines(...objects), async () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DumpFormatError);
    expect((err as DumpFormatError).line).toBe(line);
  });
});

describe("retention", () => {
  it("deletes all but the newest `keep`, oldest first", () => {
    const names = ["kb-3", "kb-1", "kb-4", "kb-2"];
    expect(expiredBackups(names, 2)).toEqual(["kb-1", "kb-2"]);
    expect(expiredBackups(names, 10)).toEqual([]);
    expect(expiredBackups(names, 0)).toEqual([]);
  });
});

describe("judging a restore", () => {
  const facts = { integrity: ["ok"], kbVersion: 12, audit: { ok: true as const, count: 3, head: HEAD }, tables: { articles: 2, audit_log: 3 } };

  it("accepts a database that matches every stamp", () => {
    expect(checkChecksum(manifest, manifest.sha256, 100)).toEqual({ ok: true });
    expect(checkRestored(manifest, facts)).toEqual({ ok: true });
    expect(checkLoaded(manifest, { header: { ...header, format: "holdfast.kb-dump.v1" }, stated: manifest.tables, loaded: manifest.tables })).toEqual({ ok: true });
  });

  it.each([
    ["a different checksum", () => checkChecksum(manifest, "c".repeat(64), 100), "checksum_mismatch"],
    ["a different size", () => checkChecksum(manifest, manifest.sha256, 99), "checksum_mismatch"],
    ["a failed integrity check", () => checkRestored(manifest, { ...facts, integrity: ["*** in database main ***", "Page 4 is never used"] }), "integrity_failed"],
    ["another KB version", () => checkRestored(manifest, { ...facts, kbVersion: 11 }), "kb_version_mismatch"],
    ["a broken chain", () => checkRestored(manifest, { ...facts, audit: { ok: false, brokenAt: 2, reason: "hash_mismatch" } }), "audit_chain_broken"],
    ["a chain that ends early", () => checkRestored(manifest, { ...facts, audit: { ok: true, count: 2, head: { seq: 2, hash: "d".repeat(64) } } }), "audit_head_mismatch"],
    ["a row count off", () => checkRestored(manifest, { ...facts, tables: { articles: 1, audit_log: 3 } }), "row_counts_mismatch"],
    ["a table the manifest does not name", () => checkRestored(manifest, { ...facts, tables: { ...facts.tables, extra: 0 } }), "row_counts_mismatch"],
    ["a header unlike the manifest", () => checkLoaded(manifest, { header: { ...header, format: "holdfast.kb-dump.v1", epoch: 5 }, stated: manifest.tables, loaded: manifest.tables }), "header_mismatch"],
  ])("refuses %s", (_what, check, reason) => {
    expect(check()).toMatchObject({ ok: false, reason });
  });
});

describe("tables a dump cannot hold", () => {
  it.each<[string, boolean]>([
    ["CREATE TABLE t (k TEXT PRIMARY KEY) WITHOUT ROWID", true],
    ["CREATE TABLE t (k TEXT PRIMARY KEY) without   rowid ;  \n", true],
    ["CREATE TABLE t (k TEXT PRIMARY KEY)", false],
    ["CREATE TABLE t (note TEXT DEFAULT 'WITHOUT ROWID', k TEXT)", false],
    [`CREATE TABLE t (k TEXT)${"\t".repeat(50_000)}`, false],
  ])("tells WITHOUT ROWID from a rowid table: %#", (sql, expected) => {
    expect(withoutRowid(sql)).toBe(expected);
  });
});
