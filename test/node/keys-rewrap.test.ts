// Retiring a master key end to end, on the real local stack (`wrangler dev`) and the real
// command line: conversations are created under k1, DATA_ENCRYPTION_KEY becomes "k2,k1",
// `npm run keys -- rewrap` is stopped after one page and resumed, then k1 is removed and
// every old conversation still reads.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, startStack, type Stack } from "../../scripts/stack.ts";

const run = promisify(execFile);
const ADMIN_KEY = "keys-admin-key-0123456789abcdef";
const K1 = `k1:${randomBytes(32).toString("base64")}`;
const K2 = `k2:${randomBytes(32).toString("base64")}`;

let stack: Stack;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "holdfast-keys-"));
  stack = await startStack({
    port: await freePort(),
    stateDir,
    vars: { TOKEN_SECRET: "keys-secret-0123456789abcdef", ADMIN_API_KEY: ADMIN_KEY, DATA_ENCRYPTION_KEY: K1, CLIENT_KEY_SECRET: "keys-client-key-secret-0123456789" },
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** `npm run keys -- <args>` against the stack; exit code and output. */
async function keys(...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, HOLDFAST_URL: stack.url, HOLDFAST_ADMIN_KEY: ADMIN_KEY };
  // The project's own Node 22, which runs the script's TypeScript directly.
  const node = resolve(ROOT, "node_modules/.bin/node");
  try {
    const { stdout, stderr } = await run(node, [resolve(ROOT, "scripts/keys.ts"), ...args], { cwd: ROOT, env });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

interface Conv {
  id: string;
  token: string;
}

async function startConversation(country?: string): Promise<Conv> {
  const res = await fetch(`${stack.url}/v1/conversations`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(country ? { "X-Holdfast-Country": country } : {}) },
    body: JSON.stringify({ customer: { name: "Ada Lovelace" }, metadata: { order: "A-1234" } }),
  });
  expect(res.status).toBe(201);
  const conv = (await res.json()) as Conv;
  const sent = await fetch(`${stack.url}/v1/conversations/${conv.id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` },
    body: JSON.stringify({ text: `Where is order A-1234 of ${conv.id.slice(0, 6)}?`, clientMessageId: `keys-${conv.id.slice(-12)}` }),
  });
  expect(sent.status).toBe(200);
  return conv;
}

async function customerTexts(conv: Conv): Promise<string[]> {
  const res = await fetch(`${stack.url}/v1/conversations/${conv.id}/messages`, { headers: { Authorization: `Bearer ${conv.token}` } });
  expect(res.status).toBe(200);
  const page = (await res.json()) as { messages: Array<{ role: string; text: string }> };
  return page.messages.filter((m) => m.role === "customer").map((m) => m.text);
}

describe("npm run keys -- rewrap", () => {
  it("moves every data key from k1 to k2, resuming after an interruption, after which k1 can be removed and old conversations still read", async () => {
    const conversations = [await startConversation(), await startConversation(), await startConversation(), await startConversation("DE"), await startConversation("FR")];
    expect(conversations.filter((c) => c.id.startsWith("eu-"))).toHaveLength(2);
    const texts = await Promise.all(conversations.map(customerTexts));

    // Rotate: k2 wraps new keys, k1 still unwraps the old ones.
    await stack.worker.stop();
    await stack.restartWorker({ DATA_ENCRYPTION_KEY: `${K2},${K1}` });
    const before = await keys("status");
    expect(before.out).toContain("k1: 5 data key(s)");

    // The first run stops after one page of two (as an interrupted run would): the cursor is saved.
    const state = join(stateDir, "rewrap.json");
    const first = await keys("rewrap", "--limit", "2", "--pages", "1", "--state", state);
    expect(first.code).toBe(0);
    expect(first.out).toContain("5 data key(s) under older kids: k1 5.");
    expect(first.out).toContain("2 visited: 2 rewrapped, 0 erased (skipped), 0 failed");
    expect(existsSync(state)).toBe(true);
    expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ current: "k2", cursor: expect.stringMatching(/^\d+\./) });
    expect((await keys("status")).out).toContain("k1: 3 data key(s)");

    // The second run resumes there and finishes: no data key is left under k1.
    const second = await keys("rewrap", "--limit", "2", "--state", state);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/Resuming the rewrap under k2 at \d+\.\S+ \(2 visited so far\)/);
    expect(second.out).toContain("5 visited: 5 rewrapped, 0 erased (skipped), 0 failed");
    expect(second.out).toContain("k1: 0 data key(s)");
    expect(second.out).toContain("k1 wraps no data key any more: it can be removed from DATA_ENCRYPTION_KEY.");
    expect(existsSync(state)).toBe(false);

    // k1 is gone: every old conversation still reads, and new ones start.
    await stack.worker.stop();
    await stack.restartWorker({ DATA_ENCRYPTION_KEY: K2 });
    expect(await Promise.all(conversations.map(customerTexts))).toEqual(texts);
    await startConversation();
    const after = await keys("status");
    expect(after.out).toContain("Current kid: k2 (DATA_ENCRYPTION_KEY: k2)");
    expect(after.out).toContain("k2: 6 data key(s)");
    expect(after.out).not.toContain("k1");
  }, 240_000);
});
