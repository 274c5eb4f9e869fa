// The libSQL dev endpoint, driven by the production client (@libsql/client/web) over HTTP,
// on a real libSQL file, and its refusals (token, media type, Host, ATTACH/DETACH) by plain
// HTTP as a hostile page would send it.
import { createClient, type Client, LibsqlError } from "@libsql/client/web";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAuthToken, startHranaServer, type HranaServer } from "../../scripts/hrana/server.ts";

let dir: string;
let server: HranaServer;
let client: Client;
const TOKEN = newAuthToken();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hrana-"));
  server = await startHranaServer({ path: join(dir, "db.sqlite"), port: 0, authToken: TOKEN, streamIdleMs: 2_000 });
  client = createClient({ url: server.url, authToken: TOKEN });
  await client.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price REAL, data BLOB)");
});

afterAll(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Hrana over HTTP dev endpoint", () => {
  it("executes statements with positional and named arguments and returns typed values", async () => {
    const inserted = await client.execute({ sql: "INSERT INTO items (name, price, data) VALUES (?, ?, ?)", args: ["apple", 1.5, new Uint8Array([1, 2, 3])] });
    expect(inserted.rowsAffected).toBe(1);
    expect(inserted.lastInsertRowid).toBe(1n);
    await client.execute({ sql: "INSERT INTO items (name, price) VALUES (:name, :price)", args: { name: "梨子", price: 2 } });
    const rs = await client.execute("SELECT id, name, price, data FROM items ORDER BY id");
    expect(rs.columns).toEqual(["id", "name", "price", "data"]);
    expect(rs.columnTypes).toEqual(["INTEGER", "TEXT", "REAL", "BLOB"]);
    expect(rs.rows.map((r) => [r.id, r.name, r.price])).toEqual([
      [1, "apple", 1.5],
      [2, "梨子", 2],
    ]);
    expect(new Uint8Array(rs.rows[0]!.data as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("runs a batch atomically: a failing statement rolls back the whole batch", async () => {
    await expect(
      client.batch(["INSERT INTO items (name) VALUES ('cherry')", "INSERT INTO items (name) VALUES ('apple')"], "write"),
    ).rejects.toThrow(/UNIQUE/);
    const rs = await client.execute("SELECT COUNT(*) AS n FROM items WHERE name = 'cherry'");
    expect(rs.rows[0]!.n).toBe(0);
    const ok = await client.batch([{ sql: "INSERT INTO items (name) VALUES (?)", args: ["cherry"] }, "SELECT COUNT(*) AS n FROM items"], "write");
    expect(ok[1]!.rows[0]!.n).toBe(3);
  });

  it("keeps an interactive transaction on one stream, and rollback undoes it", async () => {
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO items (name) VALUES ('date')");
    const inside = await tx.execute("SELECT COUNT(*) AS n FROM items WHERE name = 'date'");
    expect(inside.rows[0]!.n).toBe(1);
    await tx.rollback();
    const after = await client.execute("SELECT COUNT(*) AS n FROM items WHERE name = 'date'");
    expect(after.rows[0]!.n).toBe(0);

    const tx2 = await client.transaction("write");
    await tx2.execute("INSERT INTO items (name) VALUES ('elderberry')");
    await tx2.commit();
    expect((await client.execute("SELECT COUNT(*) AS n FROM items WHERE name = 'elderberry'")).rows[0]!.n).toBe(1);
  });

  it("reports SQL errors with their SQLite code", async () => {
    const err = await client.execute("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    expect((err as LibsqlError).message).toMatch(/no such table/);
    const constraint = await client.execute("INSERT INTO items (name) VALUES ('apple')").catch((e: unknown) => e);
    expect((constraint as LibsqlError).code).toMatch(/^SQLITE_CONSTRAINT/);
  });

  it("rejects a wrong auth token", async () => {
    const intruder = createClient({ url: server.url, authToken: "wrong" });
    await expect(intruder.execute("SELECT 1")).rejects.toThrow(/401|Unauthorized/i);
    intruder.close();
  });

  it("serialises concurrent clients: 20 writers each incrementing a counter in transactions lose no update", async () => {
    await client.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    await client.execute("INSERT INTO counter VALUES (1, 0)");
    const clients = Array.from({ length: 20 }, () => createClient({ url: server.url, authToken: TOKEN }));
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < 5; i++) {
          const tx = await c.transaction("write");
          const { rows } = await tx.execute("SELECT n FROM counter WHERE id = 1");
          await tx.execute({ sql: "UPDATE counter SET n = ? WHERE id = 1", args: [Number(rows[0]!.n) + 1] });
          await tx.commit();
        }
      }),
    );
    clients.forEach((c) => c.close());
    expect((await client.execute("SELECT n FROM counter")).rows[0]!.n).toBe(100);
  });

  it("rolls back and releases an abandoned transaction when its stream expires", async () => {
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO items (name) VALUES ('fig')");
    // The transaction is never finished; another client still gets through once it expires.
    const other = createClient({ url: server.url, authToken: TOKEN });
    const rs = await other.execute("SELECT COUNT(*) AS n FROM items WHERE name = 'fig'");
    expect(rs.rows[0]!.n).toBe(0);
    other.close();
    await expect(tx.commit()).rejects.toThrow();
  }, 10_000);
});

/** A raw pipeline request, as any page or script could send it. */
const pipeline = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v2/pipeline`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });

/** A request with any Host header (fetch always sends the URL's own). */
function withHost(host: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  const body = JSON.stringify({ baton: null, requests: [{ type: "execute", stmt: { sql: "SELECT 1" } }, { type: "close" }] });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/v2/pipeline", method: "POST", headers: { Host: host, Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("dev endpoint refusals", () => {
  const select = { baton: null, requests: [{ type: "execute", stmt: { sql: "SELECT COUNT(*) FROM items" } }, { type: "close" }] };

  it.each([
    ["no Authorization header", { Authorization: "" }, 401, "UNAUTHORIZED"],
    ["a token that is not this run's", { Authorization: `Bearer ${newAuthToken()}` }, 401, "UNAUTHORIZED"],
    ["the token without the Bearer scheme", { Authorization: TOKEN }, 401, "UNAUTHORIZED"],
    ["text/plain (what a cross-site fetch can send without a preflight)", { "Content-Type": "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["a form post", { "Content-Type": "application/x-www-form-urlencoded" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["no content type", { "Content-Type": "" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
  ])("refuses a pipeline request with %s", async (_name, headers, status, code) => {
    const res = await pipeline(select, headers);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code });
  });

  it("refuses every path without the token, the probes and the outage switch included", async () => {
    for (const [method, path] of [["GET", "/v2"], ["GET", "/health"], ["POST", "/_dev/availability"]] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers: { "Content-Type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      expect(res.status).toBe(401);
    }
  });

  it.each(["evil.example", "evil.example:8790", "127.0.0.1.evil.example", "localhost.evil.example", "192.168.1.10:8790", "[::1].evil.example"])(
    "refuses Host %j with 403 (DNS rebinding)",
    async (host) => {
      const res = await withHost(host);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ code: "HOST_NOT_ALLOWED" });
    },
  );

  it.each(["127.0.0.1", "127.0.0.1:8790", "localhost", "LOCALHOST:1", "[::1]", "[::1]:8790"])("accepts the loopback Host %j", async (host) => {
    expect((await withHost(host)).status).toBe(200);
  });

  it.each([
    ["ATTACH", (file: string) => `ATTACH DATABASE '${file}' AS other`],
    ["lower-case attach without DATABASE", (file: string) => `attach '${file}' as other`],
    ["ATTACH after a comment", (file: string) => `/* hi */ -- there\n  AtTaCh '${file}' AS other`],
    ["VACUUM INTO", (file: string) => `VACUUM INTO '${file}'`],
  ])("refuses %s with a Hrana error and creates no file", async (_name, sql) => {
    const file = join(dir, `attached-${Math.random().toString(36).slice(2)}.db`);
    const err = await client.execute(sql(file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    expect((err as LibsqlError).code).toBe("SQLITE_AUTH");
    expect(existsSync(file)).toBe(false);
  });

  it("refuses DETACH, and ATTACH inside a batch, a sequence and a stored statement", async () => {
    const file = join(dir, "sneaky.db");
    await expect(client.execute("DETACH DATABASE main")).rejects.toMatchObject({ code: "SQLITE_AUTH" });
    await expect(client.batch(["SELECT 1", `ATTACH '${file}' AS x`], "write")).rejects.toMatchObject({ code: "SQLITE_AUTH" });
    await expect(client.executeMultiple(`SELECT 1; ATTACH '${file}' AS x; SELECT 2`)).rejects.toMatchObject({ code: "SQLITE_AUTH" });
    const res = await pipeline({
      baton: null,
      requests: [
        { type: "store_sql", sql_id: 1, sql: `ATTACH '${file}' AS x` },
        { type: "execute", stmt: { sql_id: 1 } },
        { type: "sequence", sql: `detach x` },
        { type: "batch", batch: { steps: [{ stmt: { sql: "SELECT 1" } }, { stmt: { sql: `attach '${file}' as y` } }] } },
        { type: "close" },
      ],
    });
    const { results } = (await res.json()) as { results: Array<{ type: string; error?: { code: string }; response?: { result?: { step_errors: Array<{ code: string } | null> } } }> };
    expect(results.map((r) => r.error?.code ?? r.type)).toEqual(["ok", "SQLITE_AUTH", "SQLITE_AUTH", "ok", "ok"]);
    expect(results[3]!.response!.result!.step_errors).toEqual([null, expect.objectContaining({ code: "SQLITE_AUTH" })]);
    expect(existsSync(file)).toBe(false);
  });

  it("lets through statements that only mention the words in literals, quoted names and comments", async () => {
    await client.execute({ sql: "INSERT INTO items (name) VALUES ('please attach the receipt; then detach it')" });
    const rs = await client.execute(`SELECT name AS "attach" FROM items WHERE name LIKE '%attach%' -- detach`);
    expect(rs.rows[0]!.attach).toBe("please attach the receipt; then detach it");
  });
});
