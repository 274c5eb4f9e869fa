// The Worker with HOLDFAST_DEV=0, as deployed: development routes do not exist, faults can
// be neither set nor seeded, location headers are ignored, and the per-IP caps hold.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationAt } from "../../src/platform/conversations.ts";
import type { ConversationDO } from "../../src/index.ts";
import { ADMIN_KEY, call, type Created } from "../workers/helpers.ts";

/** A client address of its own, so each test has its own per-IP buckets. */
const newIp = () => `2001:db8::${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;

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

describe("per-IP caps (5 conversation starts an hour and 20 admin requests a minute here)", () => {
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
