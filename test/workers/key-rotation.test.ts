// Master key rotation inside workerd: the key registry hears of every data key, a
// conversation whose key is under an older kid rewraps it when it loads, and the admin
// rewrap pass reaches every registered conversation (EU ones too) and skips erased ones.
// The ring here is "k1 (current), k0 (older)" (vitest.config.ts).
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErasedMarker } from "../../durable-objects/conversation-erased.ts";
import { ConversationStore } from "../../durable-objects/conversation-store.ts";
import type { ConversationDO, KeyRegistryDO } from "../../src/index.ts";
import { signToken } from "../../src/auth/token.ts";
import { conversationIdFor } from "../../src/conversation/address.ts";
import { conversationAt } from "../../src/platform/conversations.ts";
import { keyRegistryOf } from "../../src/platform/key-registry.ts";
import { parseKeyring } from "../../src/privacy/envelope.ts";
import { ADMIN_KEY, call, cid, createConversation, transcript, type Created } from "./helpers.ts";

/** The older master key alone: what wrapped data keys before k1 became current. */
const K0_ONLY = parseKeyring("k0:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU=")!;
const admin = (method: string, path: string, body?: unknown) =>
  call(path, { method, headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });

const stubOf = (id: string) => env.CONVERSATION.get(conversationAt(env.CONVERSATION, id, false)!.objectId);

function dataKey(id: string) {
  return runInDurableObject(stubOf(id), (_: ConversationDO, state) =>
    state.storage.sql.exec<{ kid: string; wrapped: string; registered_kid: string | null }>("SELECT kid, wrapped, registered_kid FROM data_key").toArray()[0] ?? null,
  );
}

function registered(id: string) {
  return runInDurableObject(keyRegistryOf(env, id), (_: KeyRegistryDO, state) => state.storage.sql.exec<{ kid: string }>("SELECT kid FROM data_keys WHERE conversation_id = ?", id).toArray()[0]?.kid ?? null);
}

/**
 * A conversation as it was stored while k0 was the current master key: its data key wrapped
 * under k0, a message sealed with it, and its registry entry saying k0. The object is then
 * evicted, so that its next call loads it from storage.
 */
async function conversationUnderK0(jurisdiction: "eu" | null = null): Promise<Created> {
  const objectId = env.CONVERSATION.newUniqueId();
  const id = conversationIdFor(jurisdiction, objectId.toString());
  const stub = env.CONVERSATION.get(objectId);
  const at = Date.now();
  await runInDurableObject(stub, async (_: ConversationDO, state) => {
    const store = new ConversationStore(state.storage, new ErasedMarker(state.storage.sql));
    await store.create({ id, locale: "en", region: "weur", jurisdiction }, at, K0_ONLY);
    const seq = store.nextSeq();
    await store.saveMessage({ seq, role: "customer", text: "sealed under k0", createdAt: new Date(at).toISOString(), clientMessageId: cid(`k0-${seq}`) });
  });
  await keyRegistryOf(env, id).record(id, "k0", at);
  await evictDurableObject(stub);
  // A token for transcript reads, signed as the Worker would.
  return { id, token: await signToken(env.TOKEN_SECRET, id, Math.floor(Date.now() / 1000) + 600), websocketUrl: "" };
}

describe("the key registry", () => {
  it("hears of a new conversation's data key under the current kid, and the conversation knows it told it", async () => {
    const conv = await createConversation();
    expect(await registered(conv.id)).toBe("k1");
    expect(await dataKey(conv.id)).toMatchObject({ kid: "k1", registered_kid: "k1" });
    const status = await (await admin("GET", "/v1/admin/keys/status")).json<{ current: string; kids: string[]; dataKeys: Record<string, number> }>();
    expect(status).toMatchObject({ current: "k1", kids: ["k1", "k0"] });
    expect(status.dataKeys.k1).toBeGreaterThan(0);
  });

  it("drops an erased conversation's entry", async () => {
    const conv = await createConversation();
    await runInDurableObject(stubOf(conv.id), (instance: ConversationDO) => instance.erase());
    expect(await registered(conv.id)).toBeNull();
  });
});

describe("a data key under an older kid", () => {
  it("is rewrapped under the current kid when its conversation loads, and the registry is told; the text still reads", async () => {
    const conv = await conversationUnderK0();
    // Loading happens on the first call (here: the transcript read).
    // (The stored message was never answered: loading answers it, under the same data key.)
    const messages = await transcript(conv);
    expect(messages.filter((m) => m.role === "customer").map((m) => m.text)).toEqual(["sealed under k0"]);
    const key = await dataKey(conv.id);
    expect(key).toMatchObject({ kid: "k1", registered_kid: "k1" });
    expect(key!.wrapped).toMatch(/^k1\./);
    await expect.poll(() => registered(conv.id)).toBe("k1");
  });
});

describe("POST /v1/admin/keys/rewrap", () => {
  it("moves every registered key under an older kid to the current one, page by page from a cursor, EU conversations included, skipping erased ones", async () => {
    const plain = [await conversationUnderK0(), await conversationUnderK0(), await conversationUnderK0()];
    const eu = await conversationUnderK0("eu");
    const erased = await conversationUnderK0();
    await runInDurableObject(stubOf(erased.id), (instance: ConversationDO) => instance.erase());
    // The erasure dropped its entry; one left behind (an erasure that could not reach the registry) is skipped too.
    await keyRegistryOf(env, erased.id).record(erased.id, "k0", Date.now());
    const before = await (await admin("GET", "/v1/admin/keys/status")).json<{ dataKeys: Record<string, number>; retirable: string[] }>();
    expect(before.dataKeys.k0).toBeGreaterThanOrEqual(5);
    expect(before.retirable).toEqual([]);

    const totals = { processed: 0, rewrapped: 0, erased: 0, failed: 0 };
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res = await admin("POST", "/v1/admin/keys/rewrap", { cursor, limit: 2 });
      expect(res.status).toBe(200);
      const page = await res.json<typeof totals & { cursor: string | null; current: string }>();
      expect(page.current).toBe("k1");
      expect(page.processed).toBeLessThanOrEqual(2);
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += page[k];
      cursor = page.cursor;
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(totals.erased).toBeGreaterThanOrEqual(1);
    expect(totals.failed).toBe(0);
    for (const conv of [...plain, eu]) {
      expect(await dataKey(conv.id)).toMatchObject({ kid: "k1", registered_kid: "k1" });
      expect(await registered(conv.id)).toBe("k1");
      expect((await transcript(conv)).filter((m) => m.role === "customer").map((m) => m.text)).toEqual(["sealed under k0"]);
    }
    expect(await registered(erased.id)).toBeNull();
    const after = await (await admin("GET", "/v1/admin/keys/status")).json<{ dataKeys: Record<string, number>; retirable: string[] }>();
    expect(after.dataKeys.k0 ?? 0).toBe(0);
    expect(after.retirable).toEqual(["k0"]);
  });

  // Malformed bodies: test/workers/bad-input.test.ts.
  it("is for admins only", async () => {
    expect((await call("/v1/admin/keys/rewrap", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status).toBe(401);
    expect((await call("/v1/admin/keys/status")).status).toBe(401);
  });
});
