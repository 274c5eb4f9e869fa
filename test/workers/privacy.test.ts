// Encryption at rest, identity verification, GDPR/CCPA export and erasure, retention.
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HandoffStore } from "../../durable-objects/conversation-handoff-store.ts";
import type { ConversationStore } from "../../durable-objects/conversation-store.ts";
import type { ConversationDO } from "../../src/index.ts";
import { signCustomer } from "../../src/privacy/identity.ts";
import { verifyReceipt } from "../../src/privacy/receipt.ts";
import { redact } from "../../src/privacy/redact.ts";
import { ADMIN_KEY, call, cid, createConversation, send, transcript, unique, type Created } from "./helpers.ts";
import { conversationIn } from "./ops-helpers.ts";

const SIGNING_SECRET = "test-customer-signing-secret-0123";
const stubOf = (conv: Created) => env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id));
/** The object's stores, as its own code reaches them. */
const storesOf = (instance: ConversationDO) => instance as unknown as { store: ConversationStore; handoffs: HandoffStore };
const adminCall = (path: string, method = "GET") => call(path, { method, headers: { Authorization: `Bearer ${ADMIN_KEY}` } });

async function verifiedConversation(customerId: string, extra: Record<string, unknown> = {}): Promise<Created> {
  return createConversation({ customer: { id: customerId, name: "Ada Lovelace", email: "ada@example.com" }, customerSignature: await signCustomer(SIGNING_SECRET, customerId), ...extra });
}

describe("encryption at rest", () => {
  it("stores message text, customer fields and dialogue state sealed, and reads them back in the clear", async () => {
    const conv = await verifiedConversation(`cust-${unique()}`);
    await send(conv, "My card is 4111 1111 1111 1111, where is my order?", cid("seal1"));
    const stored = await runInDurableObject(stubOf(conv), (_i: ConversationDO, state) => ({
      texts: state.storage.sql.exec<{ text: string }>("SELECT text FROM messages").toArray().map((r) => r.text),
      customer: state.storage.sql.exec<{ customer: string }>("SELECT customer FROM conversation").one().customer,
      dialogue: state.storage.sql.exec<{ state: string }>("SELECT state FROM dialogue").one().state,
      key: state.storage.sql.exec<{ kid: string; wrapped: string }>("SELECT kid, wrapped FROM data_key").one(),
    }));
    for (const sealed of [...stored.texts, stored.customer, stored.dialogue]) expect(sealed).toMatch(/^s1\./);
    expect(JSON.stringify(stored)).not.toMatch(/4111|order|Ada|ada@example/);
    expect(stored.key.kid).toBe("k1");
    const messages = await transcript(conv);
    expect(messages[0]!.text).toBe("My card is 4111 1111 1111 1111, where is my order?");
  });

  it("seals a rating's comment and reads it back for the export", async () => {
    const id = `cust-${unique()}`;
    const conv = await verifiedConversation(id);
    const rated = await call(`/v1/conversations/${conv.id}/rating`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify({ score: 4, comment: "Ada was helped quickly" }) });
    expect(rated.status).toBe(200);
    const stored = await runInDurableObject(stubOf(conv), (_i: ConversationDO, state) => state.storage.sql.exec<{ comment: string }>("SELECT comment FROM rating").one().comment);
    expect(stored).toMatch(/^s1\./);
    const bundle = await (await adminCall(`/v1/admin/subjects/${id}/export`)).json<{ conversations: Array<{ rating: { score: number; comment: string } }> }>();
    expect(bundle.conversations[0]!.rating).toMatchObject({ score: 4, comment: "Ada was helped quickly" });
  });
});

describe("identity verification", () => {
  it("refuses a customer signature that does not match the id", async () => {
    const res = await call("/v1/conversations", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ customer: { id: "cust-forged" }, customerSignature: "0".repeat(64) }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "customer_signature_invalid" } });
  });

  it("exports a verified customer's conversations and never joins an unsigned id with them", async () => {
    const id = `cust-${unique()}`;
    const first = await verifiedConversation(id);
    const second = await verifiedConversation(id);
    await send(first, "Where is my order?", cid("exp1"));
    await send(second, "How long does a refund take?", cid("exp2"));
    const unsigned = await createConversation({ customer: { id } });
    await send(unsigned, "I am someone else claiming this id", cid("exp3"));

    const res = await adminCall(`/v1/admin/subjects/${id}/export`);
    expect(res.status).toBe(200);
    const bundle = await res.json<{ subject: string; conversations: Array<{ conversation: { id: string; customer: { verified: boolean; email: string } }; messages: Array<{ text: string }> }> }>();
    expect(bundle.subject).toMatch(/^[0-9a-f]{64}$/);
    expect(bundle.conversations.map((c) => c.conversation.id).sort()).toEqual([first.id, second.id].sort());
    expect(bundle.conversations[0]!.conversation.customer).toMatchObject({ verified: true, email: "ada@example.com" });
    expect(bundle.conversations.flatMap((c) => c.messages.map((m) => m.text))).toEqual(expect.arrayContaining(["Where is my order?", "How long does a refund take?"]));
    expect(JSON.stringify(bundle)).not.toContain("someone else");
  });

  it("lets only admins export or erase", async () => {
    expect((await call("/v1/admin/subjects/cust-1/export")).status).toBe(401);
    const res = await call("/v1/admin/subjects/cust-1/export", { headers: { Authorization: "Bearer v1.1.abc" } });
    expect(res.status).toBe(401);
  });
});

describe("erasure", () => {
  it("erases every conversation of the customer with a signed receipt; afterwards the export is empty and reads answer 404", async () => {
    const id = `cust-${unique()}`;
    const conv = await verifiedConversation(id);
    await send(conv, "My email is ada@example.com, please delete me", cid("erase1"));
    const res = await adminCall(`/v1/admin/subjects/${id}`, "DELETE");
    expect(res.status).toBe(200);
    const receipt = await res.json<{ subject: string; conversations: number; erasedAt: string; signature: string }>();
    expect(receipt).toMatchObject({ conversations: 1, subject: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await verifyReceipt("test-secret-0123456789abcdef", receipt)).toBe(true);
    expect(await verifyReceipt("test-secret-0123456789abcdef", { ...receipt, conversations: 0 })).toBe(false);

    const exported = await (await adminCall(`/v1/admin/subjects/${id}/export`)).json<{ conversations: unknown[] }>();
    expect(exported.conversations).toEqual([]);
    const read = await call(`/v1/conversations/${conv.id}/messages`, { headers: { Authorization: `Bearer ${conv.token}` } });
    expect(read.status).toBe(404);
    expect((await send(conv, "still here?", cid("erase2"))).status).toBe(404);
    const left = await runInDurableObject(stubOf(conv), (_i: ConversationDO, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('data_key', 'messages')").toArray().length
        ? state.storage.sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM data_key) AS n").one().n
        : 0,
    );
    expect(left).toBe(0);
  });

  it("refuses to seal without a data key: once the key is destroyed, sealText throws rather than hand back the text", async () => {
    const conv = await verifiedConversation(`cust-${unique()}`);
    const outcome = await runInDurableObject(stubOf(conv), async (instance: ConversationDO) => {
      const { store } = storesOf(instance);
      expect(await store.sealText("where is my order?", "message:9")).toMatch(/^s1\./);
      store.destroyKey(Date.now());
      return store.sealText("where is my order?", "message:9").then(
        (sealed) => ({ sealed }),
        (err: { name: string; code: string }) => ({ error: [err.name, err.code] }),
      );
    });
    expect(outcome).toEqual({ error: ["EnvelopeError", "no_key"] });
  });

  it("leaves an erased marker that every later write checks: work under way when the erasure came stores nothing, even after a restart", async () => {
    const id = `cust-${unique()}`;
    const conv = await verifiedConversation(id);
    await send(conv, "Please delete everything about me", cid("mark1"));
    expect((await adminCall(`/v1/admin/subjects/${id}`, "DELETE")).status).toBe(200);
    const at = new Date().toISOString();
    const late = (instance: ConversationDO) => {
      const { store, handoffs } = storesOf(instance);
      const attempts: Array<() => unknown> = [
        () => store.saveMessage({ seq: 3, role: "customer", text: "one more thing", createdAt: at, clientMessageId: cid("mark2") }),
        () => store.saveReply({ seq: 4, role: "assistant", text: "a reply", createdAt: at, replyTo: 3 }, undefined),
        () => handoffs.rate(5, undefined, Date.now()),
        () => handoffs.hold(3),
        () => handoffs.addNote({ id: "op_1", name: "Ana" }, "s1.sealed", cid("note1"), 2, Date.now()),
        () => handoffs.save({ ...handoffs.record("support"), status: "queued" }),
      ];
      return Promise.all(attempts.map((attempt) => Promise.resolve().then(attempt).then(() => "written", (err: Error) => err.name)));
    };
    const tables = ["messages", "dialogue", "handoff", "held_messages", "notes", "rating", "ops_outcome", "frame_limits", "data_key", "conversation"];
    const stored = (state: DurableObjectState) => tables.map((table) => [table, state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n]);
    const refused = ["EnvelopeError", "EnvelopeError", "ConversationErased", "ConversationErased", "ConversationErased", "ConversationErased"];
    const empty = tables.map((table) => [table, 0]);
    expect(await runInDurableObject(stubOf(conv), async (instance: ConversationDO, state) => [await late(instance), stored(state)])).toEqual([refused, empty]);
    // Nothing comes back through the conversation's own entry points either.
    const rated = await call(`/v1/conversations/${conv.id}/rating`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify({ score: 5 }) });
    expect(rated.status).toBe(404);
    // The marker is stored: a restarted object refuses just the same, and cannot be created again.
    await evictDurableObject(stubOf(conv));
    expect(await runInDurableObject(stubOf(conv), async (instance: ConversationDO, state) => [await late(instance), stored(state)])).toEqual([refused, empty]);
    const again = await stubOf(conv).create({ id: conv.id, locale: "en", region: "weur", jurisdiction: null });
    expect(again).toEqual({ ok: false, code: "conversation_not_found" });
  });

  it("makes the replica of the conversation's own region forget its questions, not the default region's", async () => {
    const id = `cust-${unique()}`;
    const conv = await conversationIn("oc", undefined, { customer: { id }, customerSignature: await signCustomer(SIGNING_SECRET, id) });
    const text = "How do I reset my password? I am Qwzx Plonkington";
    await send(conv, text, cid("forget1"));
    // What the region's replica remembers of it (as the turn's notes would bring it there).
    const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName("oc"));
    await replica.remember([{ question: redact(text).text, language: "en", articleId: "en:reset-password" }]);
    const remembered = () =>
      runInDurableObject(replica, (instance, state) => {
        const unsaved = [...(instance as unknown as { unsaved: Map<string, { key: string }> }).unsaved.values()].filter((e) => e.key.includes("plonkington")).length;
        return unsaved + state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM answered WHERE question LIKE '%plonkington%'").one().n;
      });
    expect(await remembered()).toBe(1);
    expect((await adminCall(`/v1/admin/subjects/${id}`, "DELETE")).status).toBe(200);
    expect(await remembered()).toBe(0);
  });

  it("erases a closed conversation once its retention period has passed, and removes it from the subject index", async () => {
    const id = `cust-${unique()}`;
    const conv = await verifiedConversation(id);
    await send(conv, "Hello", cid("ret1"));
    expect((await call(`/v1/conversations/${conv.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${conv.token}` } })).status).toBe(200);
    // An alarm before the retention period leaves it alone.
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    expect((await transcript(conv)).length).toBe(2);
    // 91 days later (RETENTION_DAYS defaults to 90).
    await runInDurableObject(stubOf(conv), (_i: ConversationDO, state) => {
      state.storage.sql.exec("UPDATE conversation SET closed_at = ?", Date.now() - 91 * 86_400_000);
    });
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    const read = await call(`/v1/conversations/${conv.id}/messages`, { headers: { Authorization: `Bearer ${conv.token}` } });
    expect(read.status).toBe(404);
    const exported = await (await adminCall(`/v1/admin/subjects/${id}/export`)).json<{ conversations: unknown[] }>();
    expect(exported.conversations).toEqual([]);
  });
});
