// The libSQL dev endpoint, driven by the production client (@libsql/client/web) over HTTP,
// on a real libSQL file.
import { createClient, type Client, LibsqlError } from "@libsql/client/web";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHranaServer, type HranaServer } from "../../scripts/hrana/server.ts";

let dir: string;
let server: HranaServer;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hrana-"));
  server = await startHranaServer({ path: join(dir, "db.sqlite"), port: 0, authToken: "sekret", streamIdleMs: 2_000 });
  client = createClient({ url: server.url, authToken: "sekret" });
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
    const clients = Array.from({ length: 20 }, () => createClient({ url: server.url, authToken: "sekret" }));
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
    const other = createClient({ url: server.url, authToken: "sekret" });
    const rs = await other.execute("SELECT COUNT(*) AS n FROM items WHERE name = 'fig'");
    expect(rs.rows[0]!.n).toBe(0);
    other.close();
    await expect(tx.commit()).rejects.toThrow();
  }, 10_000);
});
