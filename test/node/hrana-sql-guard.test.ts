// The dev endpoint's SQL allow-list (scripts/hrana/sql-guard.ts), through the production
// client against a real KB file: the bundled engine's file functions, virtual tables, PRAGMAs
// and other statement kinds are refused with a Hrana SQLITE_AUTH error, while what the KB
// tooling sends (drizzle's migrator included) still runs.
import { createClient, type Client, LibsqlError } from "@libsql/client/web";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allArticles, importArticles, kbStats, listArticles, type KbDatabase } from "../../src/kb/articles.ts";
import { newAuthToken, startHranaServer, type HranaServer } from "../../scripts/hrana/server.ts";
import { migrateKb, openKb } from "../../scripts/kb.ts";
import { readSource } from "../../scripts/kb/source.ts";

let dir: string;
let server: HranaServer;
let client: Client;
let kb: KbDatabase & { $client: Client };
const TOKEN = newAuthToken();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hrana-guard-"));
  server = await startHranaServer({ path: join(dir, "kb.db"), port: 0, authToken: TOKEN });
  client = createClient({ url: server.url, authToken: TOKEN });
  kb = openKb(server.url, TOKEN);
  await migrateKb(kb);
});

afterAll(async () => {
  client.close();
  kb.$client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const refused = async (run: Promise<unknown>): Promise<LibsqlError> => {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LibsqlError);
  expect((err as LibsqlError).code).toBe("SQLITE_AUTH");
  return err as LibsqlError;
};

describe("what the KB tooling sends", () => {
  it("migrates (drizzle's migrator, twice), imports, lists, counts and exports through the endpoint", async () => {
    await migrateKb(kb);
    const inputs = readSource(resolve("kb/demo"), {}).slice(0, 6);
    expect((await importArticles(kb, inputs, Date.now())).created).toBe(6);
    expect((await importArticles(kb, inputs, Date.now())).unchanged).toBe(6);
    expect(await listArticles(kb, { limit: 4 })).toHaveLength(4);
    expect((await kbStats(kb)).version).toBe(6);
    expect(await allArticles(kb)).toHaveLength(6);
  });

  it("allows a table a later migration creates (a name no migration uses yet) as soon as it exists, in the same batch too", async () => {
    await client.batch(
      [
        "CREATE TABLE IF NOT EXISTS `later_feature_notes` (`id` integer PRIMARY KEY NOT NULL, `text` text NOT NULL)",
        "CREATE INDEX `later_feature_notes_text` ON `later_feature_notes` (`text`)",
        "INSERT INTO later_feature_notes (text) VALUES ('where is my parcel?')",
      ],
      "write",
    );
    await client.executeMultiple("CREATE TABLE later_feature_runs (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO later_feature_runs (name) VALUES ('r1');");
    const rs = await client.execute("SELECT (SELECT count(*) FROM later_feature_notes) AS q, (SELECT count(*) FROM later_feature_runs) AS r");
    expect(rs.rows[0]).toMatchObject({ q: 1, r: 1 });
  });

  it("lets a SELECT read the schema and the AUTOINCREMENT counters (what the KB backup dumps)", async () => {
    const schema = await client.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid");
    expect(schema.rows.map((r) => r.name)).toContain("articles");
    expect((await client.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")).rows.length).toBeGreaterThan(3);
    expect((await client.execute("SELECT name, seq FROM sqlite_sequence")).rows.map((r) => r.name)).toContain("example_questions");
  });

  it("lets through the refused names inside strings and comments, and as plain column names", async () => {
    await client.execute("INSERT INTO later_feature_notes (text) VALUES ('SELECT readfile(''/etc/passwd'') FROM fsdir') -- writefile('x', 'y')");
    const rs = await client.execute(`SELECT text AS readfile FROM later_feature_notes /* fsdir('/') */ WHERE text LIKE '%fsdir%'`);
    expect(rs.rows[0]!.readfile).toBe("SELECT readfile('/etc/passwd') FROM fsdir");
  });
});

describe("what it refuses", () => {
  it.each([
    ["readfile()", "SELECT length(readfile('/etc/passwd'))", "the function readfile() is not allowed"],
    ["readfile() as a quoted name in capitals, a comment before its arguments", `SELECT "ReadFile" /* x */ ('/etc/passwd')`, "readfile()"],
    ["readfile() in brackets, in backticks, after a doubled quote", "SELECT 'it''s' || [readfile]('/etc/passwd') || `readfile`('/etc/hosts')", "readfile()"],
    ["edit()", "SELECT edit('x', 'vi')", "edit()"],
    ["load_extension()", "SELECT load_extension('/tmp/evil.so')", "load_extension()"],
    ["the cipher settings", "SELECT sqlite3mc_config('cipher', 'chacha20')", "sqlite3mc_config()"],
    ["fsdir() as a table-valued function", "SELECT name FROM fsdir('/etc')", "the virtual table fsdir is not allowed"],
    ["fsdir as a table with its hidden column", "SELECT count(*) FROM fsdir WHERE path = '/etc'", "fsdir"],
    ["fsdir named by a string", "SELECT count(*) FROM 'fsdir' WHERE path = '/etc'", "fsdir"],
    ["fsdir joined to a KB table", "SELECT a.id FROM articles a JOIN fsdir f ON f.path = '/etc'", "fsdir"],
    ["a virtual table over fsdir", "CREATE VIRTUAL TABLE files USING fsdir", "fsdir"],
    ["dbstat", "SELECT * FROM dbstat", "dbstat"],
    ["PRAGMA writable_schema", "PRAGMA writable_schema = ON", "PRAGMA writable_schema is not allowed"],
    ["PRAGMA main.writable_schema", "pragma main.writable_schema=1", "writable_schema"],
    ["PRAGMA foreign_keys set to anything but on or off", "PRAGMA foreign_keys = 2", "foreign_keys may only be set"],
    ["a PRAGMA as a table", "SELECT * FROM pragma_compile_options", "pragma_compile_options is internal"],
    ["a write to the schema table", "UPDATE sqlite_schema SET sql = 'x'", "sqlite_schema is internal"],
    ["the schema table in a statement other than a SELECT", "INSERT INTO articles (id) SELECT name FROM sqlite_master", "sqlite_master is internal"],
    ["an engine table other than the schema and the counters", "SELECT * FROM sqlite_stat1", "sqlite_stat1 is internal"],
    ["readfile() in a column default", "CREATE TABLE t1 (a TEXT DEFAULT (readfile('/etc/passwd')))", "readfile()"],
    ["writefile() in a trigger", "CREATE TRIGGER t2 AFTER INSERT ON articles BEGIN SELECT writefile('/tmp/x', NEW.answer); END", "writefile()"],
    ["a temporary trigger", "CREATE TEMP TRIGGER t3 AFTER INSERT ON articles BEGIN SELECT 1; END", "temporary"],
    ["ATTACH", "ATTACH 'other.db' AS other", "ATTACH statement is not allowed"],
    ["VACUUM", "VACUUM", "VACUUM statement"],
    ["EXPLAIN", "EXPLAIN SELECT 1", "EXPLAIN statement"],
    ["a table outside the KB schema", "SELECT * FROM no_such_table", "no such table: no_such_table"],
    ["a table in another schema", "SELECT * FROM temp.articles", "only the main database"],
    ["a second statement after an allowed one", "SELECT 1; SELECT readfile('/etc/passwd')", "readfile()"],
    ["a character SQLite's tokenizer does not accept", "SELECT 1 \u000b", "the SQL text has the character U+000b"],
  ])("refuses %s with SQLITE_AUTH", async (_name, sql, why) => {
    expect((await refused(client.execute(sql))).message).toContain(why);
  });

  it("writes no file through writefile() in execute, batch, sequence, stored SQL or describe", async () => {
    const file = join(dir, "owned.txt");
    const write = `SELECT writefile('${file}', 'owned')`;
    expect((await refused(client.execute(write))).message).toContain("the function writefile() is not allowed");
    await refused(client.batch(["SELECT 1", write], "write"));
    await refused(client.executeMultiple(`SELECT 1; ${write};`));
    const res = await fetch(`${server.url}/v2/pipeline`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        baton: null,
        requests: [{ type: "store_sql", sql_id: 1, sql: write }, { type: "execute", stmt: { sql_id: 1 } }, { type: "describe", sql: write }, { type: "close" }],
      }),
    });
    const { results } = (await res.json()) as { results: Array<{ type: string; error?: { code: string } }> };
    expect(results.map((r) => r.error?.code ?? r.type)).toEqual(["ok", "SQLITE_AUTH", "SQLITE_AUTH", "ok"]);
    expect(existsSync(file)).toBe(false);
  });
});
