// The Worker with HOLDFAST_DEV=0, as deployed: development routes do not exist, faults can
// be neither set nor seeded, location headers are ignored, and the per-IP caps hold.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationAt } from "../../src/platform/conversations.ts";
import type { ConversationDO } from "../../src/index.ts";
import { ADMIN_KEY, call, type Created } from "../workers/helpers.ts";

/** Four random hex digits: one IPv6 group. */
const group = () => crypto.randomUUID().slice(0, 4);
/** A client network (an IPv6 /64) of its own, so each test has its own per-IP buckets. */
const newNet = () => `2001:db8:${group()}:${group()}`;
const newIp = () => `${newNet()}::1`;

function create(ip: string, headers: Record<string, string> = {}, cf?: Record<string, string>): Promise<Response> {
  return call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip, ...headers }, body: "{}", cf } as RequestInit);
}

function record(conv: Created) {
  const address = conversationAt(env.CONVERSATION, conv.id, false)!;
  return runInDurableObject(env.CONVERSATION.get(address.objectId), (_: ConversationDO, state) =>
    state.storage.sql.exec<{ region: string; jurisdiction: string | null }>("SELECT region, jurisdiction FROM conversation").one(),
  );
}

const asAdmin = (method: string, path: string, body?: unknown) =>
  call(path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, "CF-Connecting-IP": newIp(), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("production configuration (HOLDFAST_DEV=0)", () => {
  it.each([
    ["the replica search timing route", "POST", "/v1/dev/replicas/weur/search-timing", { queries: ["refund"] }, {}],
    ["the replica status route", "GET", "/v1/dev/replicas/weur/status", undefined, {}],
    ["the bench floor WebSocket", "GET", "/v1/dev/floor/probe/ws", undefined, { Upgrade: "websocket" }],
  ])("answers 404 for %s", async (_name, method, path, body, headers) => {
    const res = await call(path, { method, headers: { "Content-Type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it.each([
    ["GET", undefined],
    ["PUT", { faults: ["primary-down"] }],
    ["DELETE", undefined],
  ])("answers 404 to %s /v1/admin/faults, even with the admin key", async (method, body) => {
    const res = await asAdmin(method, "/v1/admin/faults", body);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("ignores the faults HOLDFAST_FAULTS names at start: the primary and the replica are up", async () => {
    const ready = await (await call("/readyz")).json<{ faults: string[]; checks: { primary: { reachable: boolean }; replica: { reachable: boolean } } }>();
    expect(ready.faults).toEqual([]);
    expect(ready.checks.primary.reachable).toBe(true);
    expect(ready.checks.replica.reachable).toBe(true);
    expect((await asAdmin("GET", "/v1/admin/kb/articles?limit=1")).status).toBe(200);
  });

  it("ignores X-Holdfast-Region and X-Holdfast-Country: the conversation stays where the request came from", async () => {
    const cf = { country: "US", continent: "NA", longitude: "-122.4" };
    const plain = await (await create(newIp(), {}, cf)).json<Created>();
    const forced = await create(newIp(), { "X-Holdfast-Region": "apac", "X-Holdfast-Country": "DE" }, cf);
    expect(forced.status).toBe(201);
    const conv = await forced.json<Created>();
    expect(conv.id).not.toMatch(/^eu-/);
    expect(await record(conv)).toEqual({ region: "wnam", jurisdiction: null });
    expect(await record(plain)).toEqual({ region: "wnam", jurisdiction: null });
  });

  it("leaves dev-only routes out of the API reference", async () => {
    const doc = await (await call("/openapi.json")).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).filter((p) => p.includes("/dev/") || p.includes("faults"))).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/admin/operators", "/v1/admin/audit"]));
  });
});

describe("per-IP caps (5 conversation starts an hour and 20 admin requests an hour here)", () => {
  it("caps conversations started from one address, and only those", async () => {
    const ip = newIp();
    const starts = [];
    for (let i = 0; i < 6; i++) starts.push(await create(ip));
    expect(starts.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429]);
    const refused = starts[5]!;
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect(refused.headers.get("ratelimit-policy")).toBe("5;w=3600");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(700);
    // The same address may still use the conversations it has; another address may start one.
    const conv = await starts[0]!.json<Created>();
    const read = await call(`/v1/conversations/${conv.id}/messages`, { headers: { Authorization: `Bearer ${conv.token}`, "CF-Connecting-IP": ip } });
    expect(read.status).toBe(200);
    expect((await create(newIp())).status).toBe(201);
  });

  it("holds a client that rotates guessed admin keys to its address's limit", async () => {
    const ip = newIp();
    const statuses = [];
    for (let i = 0; i < 22; i++) {
      const guess = `hf_${crypto.randomUUID().replaceAll("-", "")}${"x".repeat(11)}`;
      const res = await call("/v1/admin/kb/status", { headers: { Authorization: `Bearer ${guess}`, "CF-Connecting-IP": ip } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // The real key from that address is held too; from another address it works.
    expect((await call("/v1/admin/kb/status", { headers: { Authorization: `Bearer ${ADMIN_KEY}`, "CF-Connecting-IP": ip } })).status).toBe(429);
    expect((await asAdmin("GET", "/v1/admin/kb/status")).status).toBe(200);
  });
});

describe("IPv6 clients are one client per /64", () => {
  it("limits 200 conversation starts from 200 addresses of one /64 as one client: 5 accepted, 195 refused", async () => {
    const net = newNet();
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await create(`${net}:${group()}:${group()}:${group()}:${(i + 1).toString(16)}`)).status);
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
  });

  it("counts another /64 apart: two networks each get their own 5 starts", async () => {
    const [a, b] = [newNet(), newNet()];
    const statuses = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < 6; i++) {
      statuses.a.push((await create(`${a}::${i + 1}`)).status);
      statuses.b.push((await create(`${b}::${i + 1}`)).status);
    }
    expect(statuses).toEqual({ a: [201, 201, 201, 201, 201, 429], b: [201, 201, 201, 201, 201, 429] });
  });

  it("takes one address in any spelling as the same client: compressed, expanded, upper case, with a zone id", async () => {
    const net = newNet();
    const [, , g3, g4] = net.split(":");
    const spellings = [
      `${net}::1`,
      `2001:0db8:${g3!.padStart(4, "0")}:${g4!.padStart(4, "0")}:0000:0000:0000:0001`,
      `${net.toUpperCase()}::1`,
      `${net}:0:0:0:1`,
      `${net}::1%eth0`,
    ];
    const statuses = [];
    for (const ip of spellings) statuses.push((await create(ip)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    expect((await create(`${net}::ffff`)).status).toBe(429);
  });

  it("takes an IPv4-mapped IPv6 address as that IPv4 address, and keys IPv4 clients by their whole address", async () => {
    const octet = () => 1 + Math.floor(Math.random() * 250);
    const v4 = `198.51.${octet()}.${octet()}`;
    const statuses = [];
    for (const ip of [v4, `::ffff:${v4}`, `::FFFF:${v4}`, v4, `0:0:0:0:0:ffff:${v4}`]) statuses.push((await create(ip)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    expect((await create(v4)).status).toBe(429);
    // The neighbouring IPv4 address is another client.
    const [a, b, c, d] = v4.split(".").map(Number);
    expect((await create(`${a}.${b}.${c}.${d! === 255 ? 1 : d! + 1}`)).status).toBe(201);
  });

  it("holds a client that rotates addresses in its /64 and guessed admin keys to one address's admin limit", async () => {
    const net = newNet();
    const statuses = [];
    for (let i = 0; i < 22; i++) {
      const guess = `hf_${crypto.randomUUID().replaceAll("-", "")}${"x".repeat(11)}`;
      const res = await call("/v1/admin/kb/status", { headers: { Authorization: `Bearer ${guess}`, "CF-Connecting-IP": `${net}:${group()}::${(i + 1).toString(16)}` } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});
