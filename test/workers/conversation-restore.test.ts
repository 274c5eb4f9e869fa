// POST /v1/admin/conversations/:id/restore in workerd: local workerd keeps no point-in-time
// history, so a restore an admin may make answers 501 pitr_unavailable; an erased conversation
// answers 410 (erasure wins), an unknown one 404, a bad time 400; only admins may ask, and
// every request with a key is audited. A refused restore changes nothing.
import { describe, expect, it } from "vitest";
import { auditHead } from "../../src/operators/repository.ts";
import { signCustomer } from "../../src/privacy/identity.ts";
import { operator } from "./agent-helpers.ts";
import { ADMIN_KEY, call, cid, createConversation, send, testPrimary, transcript, unique, type Created } from "./helpers.ts";

const SIGNING_SECRET = "test-customer-signing-secret-0123";

function restore(key: string | null, id: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  return call(`/v1/admin/conversations/${id}/restore`, { method: "POST", headers, body: JSON.stringify(body) });
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const lastAudit = () => auditHead(testPrimary());

async function conversationWithMessages(): Promise<Created> {
  const conv = await createConversation();
  expect((await send(conv, "How long does a refund take?", cid(`rs-${unique()}`))).status).toBe(200);
  return conv;
}

describe("POST /v1/admin/conversations/:id/restore", () => {
  it("answers 501 pitr_unavailable where the runtime keeps no history, audited, and changes nothing", async () => {
    const conv = await conversationWithMessages();
    // A moment after it began: a point the conversation existed at.
    await new Promise((r) => setTimeout(r, 20));
    const before = await transcript(conv);
    const res = await restore(ADMIN_KEY, conv.id, { at: new Date(Date.now() - 10).toISOString() });
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({ error: { code: "pitr_unavailable" } });
    expect(await lastAudit()).toMatchObject({ action: "conversation.restore", target: conv.id, actor: "break-glass", outcome: "failed" });
    expect(await transcript(conv)).toEqual(before);
    expect((await send(conv, "Thanks", cid(`rs-${unique()}`))).status).toBe(200);
  });

  it("never restores an erased conversation: 410 conversation_erased, whatever the time", async () => {
    const customerId = `cust-restore-${unique()}`;
    const conv = await createConversation({ customer: { id: customerId }, customerSignature: await signCustomer(SIGNING_SECRET, customerId) });
    expect((await send(conv, "My order number is 12345", cid(`rs-${unique()}`))).status).toBe(200);
    const erased = await call(`/v1/admin/subjects/${customerId}`, { method: "DELETE", headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(erased.status).toBe(200);
    for (const at of [minutesAgo(1), minutesAgo(60 * 24 * 29)]) {
      const res = await restore(ADMIN_KEY, conv.id, { at });
      expect(res.status).toBe(410);
      expect(await res.json()).toMatchObject({ error: { code: "conversation_erased" } });
    }
    expect(await lastAudit()).toMatchObject({ action: "conversation.restore", target: conv.id, outcome: "denied" });
  });

  it("answers 404 for a conversation that does not exist, 400 for an id that is not one", async () => {
    const missing = "a".repeat(64);
    const res = await restore(ADMIN_KEY, missing, { at: minutesAgo(5) });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "conversation_not_found" } });
    expect((await restore(ADMIN_KEY, "not-a-conversation", { at: minutesAgo(5) })).status).toBe(400);
  });

  it.each([
    ["in the future", () => new Date(Date.now() + 60_000).toISOString(), "restore_point_out_of_range"],
    ["older than 30 days", () => minutesAgo(60 * 24 * 31), "restore_point_out_of_range"],
    ["before the conversation began", () => minutesAgo(60), "restore_point_out_of_range"],
    ["not a date-time", () => "yesterday", "validation_failed"],
    ["a number of milliseconds", () => Date.now() - 1000, "validation_failed"],
  ])("answers 400 for a time %s", async (_what, at, code) => {
    const conv = await conversationWithMessages();
    const res = await restore(ADMIN_KEY, conv.id, { at: at() });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("is for admins only: another role is refused (and audited), no key is 401", async () => {
    const conv = await conversationWithMessages();
    for (const role of ["kb_editor", "ops_viewer", "agent"] as const) {
      const op = await operator(`Restorer ${unique()}`, role, role === "agent" ? "support" : null);
      const res = await restore(op.key, conv.id, { at: minutesAgo(0.1) });
      expect(res.status).toBe(403);
      expect(await lastAudit()).toMatchObject({ action: "conversation.restore", target: conv.id, actor: op.id, outcome: "denied" });
    }
    const head = await lastAudit();
    expect((await restore(null, conv.id, { at: minutesAgo(0.1) })).status).toBe(401);
    expect(await lastAudit()).toEqual(head);
  });
});
