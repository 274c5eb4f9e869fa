import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, cid, createConversation, send, setFaults, SocketClient, transcript } from "./helpers.ts";

describe("region rate limiter (fake clock)", () => {
  const limiter = () => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`test-${crypto.randomUUID()}`));
  const policy = { limit: 5, periodMs: 60_000 };

  it("allows exactly N in a window, rejects N+1, and refills after the period", async () => {
    const stub = limiter();
    const t0 = 1_000_000;
    const first = [];
    for (let i = 0; i < 6; i++) first.push(await stub.hit("ip:a", policy, t0));
    expect(first.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(first[5]!.retryAfterMs).toBe(12_000);
    expect((await stub.hit("ip:a", policy, t0 + 11_999)).allowed).toBe(false);
    expect((await stub.hit("ip:a", policy, t0 + 12_000)).allowed).toBe(true);
    const later = [];
    for (let i = 0; i < 6; i++) later.push(await stub.hit("ip:a", policy, t0 + 12_000 + 60_000));
    expect(later.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it("keeps keys apart", async () => {
    const stub = limiter();
    for (let i = 0; i < 5; i++) await stub.hit("ip:a", policy, 0);
    expect((await stub.hit("ip:a", policy, 0)).allowed).toBe(false);
    expect((await stub.hit("ip:b", policy, 0)).allowed).toBe(true);
  });
});

describe("conversation send limit (30 per minute in tests)", () => {
  it("a burst of 200 messages from one client: the allowed ones are answered and stored, the rest get 429, nothing else lost", async () => {
    const conv = await createConversation();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => send(conv, `burst message ${i}`, cid(`burst-${i}`))));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok.length + limited.length).toBe(200);
    expect(ok.length).toBe(30);
    for (const r of limited) {
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get("ratelimit-policy")).toBe("30;w=60");
      expect(r.headers.get("ratelimit")).toMatch(/^limit=30, remaining=0, reset=\d+$/);
      expect(await r.json()).toMatchObject({ error: { code: "rate_limited" } });
    }
    const accepted = new Set(await Promise.all(ok.map(async (r) => (await r.json<{ message: { text: string } }>()).message.text)));
    const stored = await transcript(conv);
    expect(stored).toHaveLength(60);
    expect(new Set(stored.filter((m) => m.role === "customer").map((m) => m.text))).toEqual(accepted);
    expect(stored.filter((m) => m.role === "assistant")).toHaveLength(30);
  });

  it("a retry of an accepted message is not counted and still gets its original answer", async () => {
    const conv = await createConversation();
    await send(conv, "first", cid("once"));
    const retries = await Promise.all(Array.from({ length: 40 }, () => send(conv, "first", cid("once"))));
    expect(retries.every((r) => r.status === 200)).toBe(true);
    expect((await send(conv, "second", cid("twice"))).status).toBe(200);
  });

  it("answers a WebSocket frame over the limit with an error frame carrying the retry time, storing nothing", async () => {
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    for (let i = 0; i < 31; i++) client.send({ type: "message", text: `ws burst ${i}`, clientMessageId: cid(`wsb-${i}`) });
    await client.until((c) => c.frames.some((f) => f.type === "error") && c.messages().filter((m) => m.role === "assistant").length === 30, 15_000);
    expect(client.frames.find((f) => f.type === "error")).toMatchObject({ code: "rate_limited", clientMessageId: cid("wsb-30") });
    expect(Number(client.frames.find((f) => f.type === "error")!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(client.closed).toBeNull();
    expect(await transcript(conv)).toHaveLength(60);
  });
});

describe("a failing region limiter (fault limiter-down)", () => {
  const start = (ip: string) => call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip }, body: "{}" });

  it("is replaced by the isolate's buckets: each request is still decided and counted against the policy, not waved through", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    const before = await start(ip);
    const policy = before.headers.get("ratelimit-policy")!;
    const limit = Number(policy.split(";")[0]);
    await setFaults("limiter-down");
    try {
      const during = [await start(ip), await start(ip), await start(ip)];
      expect(during.map((r) => r.status)).toEqual([201, 201, 201]);
      // A request waved through would carry no RateLimit fields. (The exact counting is in
      // test/unit/limiter-fallback.test.ts; here the bucket refills between requests.)
      expect(during.map((r) => r.headers.get("ratelimit-policy"))).toEqual([policy, policy, policy]);
      for (const r of during) expect(Number(/remaining=(\d+)/.exec(r.headers.get("ratelimit") ?? "")?.[1])).toBeLessThan(limit);
    } finally {
      await setFaults();
    }
  });

  it("still refuses a client over its limit: one admin credential (600 a minute) is stopped after its burst", async () => {
    const credential = `Bearer guess-${crypto.randomUUID()}`;
    await setFaults("limiter-down");
    try {
      let refused: Response | null = null;
      let attempts = 0;
      // Refills come at 10 a second; any machine sends faster, so the burst runs out.
      while (!refused && attempts < 5_000) {
        const res = await call("/v1/admin/kb/status", { headers: { Authorization: credential } });
        attempts++;
        if (res.status === 429) refused = res;
        else expect(res.status).toBe(401);
      }
      expect(refused).not.toBeNull();
      expect(attempts).toBeGreaterThan(600);
      expect(await refused!.json()).toMatchObject({ error: { code: "rate_limited" } });
      expect(refused!.headers.get("ratelimit-policy")).toBe("600;w=60");
    } finally {
      await setFaults();
    }
  }, 60_000);
});
