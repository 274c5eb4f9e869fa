// The audit chain as the API writes it: the Worker's HTTP app (run in Node against the
// libSQL dev endpoint; the rate limiter binding is absent, so its isolate fallback decides)
// records operator actions, `npm run audit -- verify` passes, and fails once a row is edited.
import { execFile } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@libsql/client/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { newAuthToken, startHranaServer, type HranaServer } from "../../scripts/hrana/server.ts";
import { migrateKb, openKb } from "../../scripts/kb.ts";

const ADMIN_KEY = "node-admin-key-0123456789";

// workerd's non-standard crypto.subtle.timingSafeEqual (used to compare the break-glass key),
// provided from node:crypto: the one Workers API this app needs that Node lacks.
const bytes = (v: ArrayBuffer | ArrayBufferView) => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v));
if (typeof crypto.subtle.timingSafeEqual !== "function") {
  Object.assign(crypto.subtle, { timingSafeEqual: (a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView) => timingSafeEqual(bytes(a), bytes(b)) });
}
let dir: string;
let server: HranaServer;
let env: Record<string, string>;
const app = createApp();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "audit-api-"));
  const kb = openKb(`file:${join(dir, "kb.db")}`);
  await migrateKb(kb);
  kb.$client.close();
  server = await startHranaServer({ path: join(dir, "kb.db"), port: 0, authToken: newAuthToken() });
  env = { LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: server.authToken, ADMIN_API_KEY: ADMIN_KEY, TOKEN_SECRET: "node-secret-0123456789abcdef", CLIENT_KEY_SECRET: "node-client-key-secret-0123456789", HOLDFAST_DEV: "0" };
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api(key: string, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, env);
}

/** The CLI over the dev endpoint (asynchronously: the endpoint runs in this process). */
const auditCli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      ["--import", resolve("scripts/sql-text.ts"), resolve("scripts/audit.ts"), ...args],
      { env: { ...process.env, LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: server.authToken }, encoding: "utf8" },
      (err, stdout, stderr) => done({ status: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
    );
  });

describe("npm run audit -- verify on a chain written through the API", () => {
  it("passes on what the API wrote, and fails with the seq once a row is tampered with", async () => {
    const created = await api(ADMIN_KEY, "POST", "/v1/admin/operators", { name: "Ada", role: "kb_editor", team: "docs" });
    expect(created.status).toBe(201);
    const editor = await created.json<{ id: string; key: string }>();
    expect((await api(editor.key, "POST", "/v1/admin/operators", { name: "Eve", role: "admin" })).status).toBe(403);
    expect((await api(ADMIN_KEY, "POST", `/v1/admin/operators/${editor.id}/rotate`)).status).toBe(200);
    expect((await api(ADMIN_KEY, "DELETE", `/v1/admin/operators/${editor.id}`)).status).toBe(200);
    const page = await (await api(ADMIN_KEY, "GET", "/v1/admin/audit")).json<{ entries: Array<{ action: string; outcome: string }> }>();
    expect(page.entries.map((e) => `${e.action}:${e.outcome}`)).toEqual(["operator.create:ok", "operator.create:denied", "operator.rotate:ok", "operator.revoke:ok"]);

    const intact = await auditCli("verify", "--page", "2");
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain("Audit chain intact: 4 entries");

    // Someone with write access to the primary hides that the editor tried to make an admin.
    const db = createClient({ url: server.url, authToken: server.authToken });
    await db.execute("UPDATE audit_log SET outcome = 'ok', action = 'operator.list' WHERE seq = 2");
    db.close();
    const broken = await auditCli("verify");
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("broken at seq 2 (hash_mismatch)");
  });
});
