// Ops counts against a real `wrangler dev` stack of its own, driven by real clients: Node's
// fetch for HTTP and `ws` for WebSockets. Every turn, handoff, rating and feedback must reach
// /metrics (read with a real parser of the text format) and /v1/ops/summary exactly — none
// lost, none counted twice — within 15 s, and stay exact across a SIGKILL and restart. The
// restarted Worker is a new version (wrangler dev makes a fresh version id per start): its
// turns are counted apart from the first one's, as a gradual deployment's would be, on
// /metrics, in the summary and on /ops (in Chromium).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort, startStack, type Stack } from "../../scripts/stack.ts";
import { launchBrowser } from "./browser.ts";

const ADMIN_KEY = "ops-counts-admin-key-0123456789";
const CONVERSATIONS = 10;
/** The bound: everything counted this long after the traffic. */
const WITHIN_MS = 15_000;

interface Counts {
  turns: number;
  handoffs: number;
  ratings: number;
  feedback: number;
}

let stack: Stack;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "holdfast-ops-counts-"));
  stack = await startStack({ port: await freePort(), stateDir, seed: true, vars: { TOKEN_SECRET: "ops-counts-secret-0123456789abcdef", ADMIN_API_KEY: ADMIN_KEY } });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

type Conversation = { id: string; token: string; websocketUrl: string };
type Frame = { type: string; message?: { role: string; seq: number } };

/**
 * Each conversation is its own client, from its own address: from one address, the traffic of
 * a test (about 110 requests and frames) came close to RATE_LIMIT_IP (120 a minute) and a
 * handoff was refused with 429 in a CI run.
 */
let clients = 0;
const clientIp = () => `198.18.${Math.floor(clients / 250)}.${(clients++ % 250) + 1}`;

async function post(path: string, body: unknown, token: string | undefined, ip: string): Promise<Response> {
  const res = await fetch(`${stack.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip, ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

const conversation = async (ip: string): Promise<Conversation> => (await post("/v1/conversations", {}, undefined, ip)).json() as Promise<Conversation>;

/** One message, a rating, feedback on the reply and a request for a person, all over HTTP. */
async function overHttp(): Promise<void> {
  const ip = clientIp();
  const c = await conversation(ip);
  const turn = (await (await post(`/v1/conversations/${c.id}/messages`, { text: "How do I reset my password?", clientMessageId: randomUUID() }, c.token, ip)).json()) as { reply: { seq: number } };
  await post(`/v1/conversations/${c.id}/rating`, { score: 4 }, c.token, ip);
  await post(`/v1/conversations/${c.id}/messages/${turn.reply.seq}/feedback`, { helpful: true }, c.token, ip);
  await post(`/v1/conversations/${c.id}/handoff`, {}, c.token, ip);
}

/** One message, a rating and a request for a person as WebSocket frames (feedback has no frame: HTTP). */
async function overWebSocket(): Promise<void> {
  const ip = clientIp();
  const c = await conversation(ip);
  const ws = new WebSocket(c.websocketUrl, [], { headers: { Authorization: `Bearer ${c.token}`, "CF-Connecting-IP": ip } });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  ws.on("message", (data) => {
    frames.push(JSON.parse(data.toString()) as Frame);
    for (const w of waiters.splice(0)) w();
  });
  const frame = async (match: (f: Frame) => boolean) => {
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  ws.send(JSON.stringify({ type: "message", text: "How do I reset my password?", clientMessageId: randomUUID() }));
  const reply = await frame((f) => f.type === "message" && f.message?.role === "assistant");
  ws.send(JSON.stringify({ type: "rating", score: 5 }));
  await frame((f) => f.type === "rated");
  ws.send(JSON.stringify({ type: "handoff" }));
  await frame((f) => f.type === "handoff");
  ws.close();
  await post(`/v1/conversations/${c.id}/messages/${reply.message!.seq}/feedback`, { helpful: false }, c.token, ip);
}

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

/** The counters in /metrics, summed over every region and label. */
async function metricsCounts(): Promise<Counts> {
  const res = await fetch(`${stack.url}/metrics`, { headers: auth });
  expect(res.status).toBe(200);
  const families = parsePrometheusTextFormat(await res.text());
  const sum = (name: string) => (families.find((f) => f.name === name)?.metrics ?? []).reduce((n, m) => n + Number(m.value), 0);
  return { turns: sum("holdfast_turns_total"), handoffs: sum("holdfast_handoffs_total"), ratings: sum("holdfast_ratings_total"), feedback: sum("holdfast_feedback_total") };
}

/** The same counts in the last hour's summary of every region. */
async function summaryCounts(): Promise<Counts> {
  const res = await fetch(`${stack.url}/v1/ops/summary?window=1h`, { headers: auth });
  expect(res.status).toBe(200);
  const { overall } = (await res.json()) as { overall: { turns: number; handoffs: { total: number }; csat: { count: number }; helpful: { helpful: number; notHelpful: number } } };
  return { turns: overall.turns, handoffs: overall.handoffs.total, ratings: overall.csat.count, feedback: overall.helpful.helpful + overall.helpful.notHelpful };
}

const both = async () => ({ metrics: await metricsCounts(), summary: await summaryCounts() });

describe("ops counts on the wire", () => {
  const expected: Counts = { turns: 2 * CONVERSATIONS, handoffs: 2 * CONVERSATIONS, ratings: 2 * CONVERSATIONS, feedback: 2 * CONVERSATIONS };
  const exact = { metrics: expected, summary: expected };

  it("counts every HTTP and WebSocket turn, handoff, rating and feedback exactly, within 15 s", async () => {
    expect(await both()).toEqual({ metrics: { turns: 0, handoffs: 0, ratings: 0, feedback: 0 }, summary: { turns: 0, handoffs: 0, ratings: 0, feedback: 0 } });
    await Promise.all([...Array.from({ length: CONVERSATIONS }, overHttp), ...Array.from({ length: CONVERSATIONS }, overWebSocket)]);
    const deadline = Date.now() + WITHIN_MS;
    let seen = await both();
    while (JSON.stringify(seen) !== JSON.stringify(exact) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      seen = await both();
    }
    expect(seen).toEqual(exact);
    // Nothing arrives twice later (a batch sent again after a lost answer is not counted again).
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await both()).toEqual(exact);
  }, 120_000);

  it("keeps the counts across a SIGKILL and restart: nothing counted is lost or counted again", async () => {
    await stack.worker.kill();
    await stack.restartWorker();
    expect(await both()).toEqual(exact);
  }, 120_000);

  it("counts the restarted Worker's turns under its own version, side by side with the first's, on /metrics, the summary and /ops", async () => {
    const byVersion = async () => {
      const res = await fetch(`${stack.url}/v1/ops/summary?window=1h`, { headers: auth });
      return ((await res.json()) as { byVersion: Record<string, { turns: number }> }).byVersion;
    };
    // The versions before the restart (one, unless wrangler dev reloaded the Worker meanwhile).
    const earlier = Object.keys(await byVersion());
    const second = (await readyVersion()).id;
    expect(second).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(earlier.length).toBeGreaterThanOrEqual(1);
    expect(earlier).not.toContain(second);
    await Promise.all(Array.from({ length: 3 }, overHttp));
    const deadline = Date.now() + WITHIN_MS;
    let split = await byVersion();
    while (split[second]?.turns !== 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      split = await byVersion();
    }
    const before = (counts: Record<string, number>) => earlier.reduce((n, v) => n + (counts[v] ?? 0), 0);
    const turnsOf = (s: Record<string, { turns: number }>) => Object.fromEntries(Object.entries(s).map(([v, k]) => [v, k.turns]));
    expect({ first: before(turnsOf(split)), second: split[second]?.turns }).toEqual({ first: 2 * CONVERSATIONS, second: 3 });

    const families = parsePrometheusTextFormat(await (await fetch(`${stack.url}/metrics`, { headers: auth })).text());
    const perVersion: Record<string, number> = {};
    for (const m of families.find((f) => f.name === "holdfast_turns_total")?.metrics ?? []) perVersion[m.labels!.version!] = (perVersion[m.labels!.version!] ?? 0) + Number(m.value);
    expect({ first: before(perVersion), second: perVersion[second] }).toEqual({ first: 2 * CONVERSATIONS, second: 3 });

    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ locale: "en-US" })).newPage();
      await page.goto(`${stack.url}/ops`);
      await page.locator("#key").fill(ADMIN_KEY);
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#versions tbody tr").count(), { timeout: 15_000 }).toBe(earlier.length + 1);
      expect(await page.locator("#versions-card").isVisible()).toBe(true);
      // Each row names its version by the start of its id.
      expect((await page.locator("#versions tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-version")))).sort()).toEqual([...earlier, second].sort());
      expect(await page.locator(`#versions tr[data-version="${second}"] th`).textContent()).toBe(second.slice(0, 8));
      expect(await page.locator(`#versions tr[data-version="${second}"] td`).first().textContent()).toMatch(/^3 \(/);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

/** The Worker version /readyz names. */
async function readyVersion(): Promise<{ id: string }> {
  return ((await (await fetch(`${stack.url}/readyz`)).json()) as { version: { id: string } }).version;
}
