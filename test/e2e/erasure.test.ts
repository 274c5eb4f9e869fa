// Erasure against the real local stack, on disk: a verified customer is erased while a turn
// of theirs is still being answered (the `latency=<ms>` fault holds it in the replica), and
// afterwards not one storage file of their conversation's Durable Object — the SQLite
// database, its write-ahead log or its shared-memory index — holds the message's text.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { signCustomer } from "../../src/privacy/identity.ts";
import { ADMIN_KEY } from "./api.ts";

const baseUrl = inject("baseUrl");
const stateDir = inject("stateDir");
const ADMIN = { Authorization: `Bearer ${ADMIN_KEY}` };

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The conversation object's storage files (workerd names them by the object's id). */
function objectFiles(id: string): string[] {
  return filesUnder(join(stateDir, "wrangler")).filter((f) => f.includes("ConversationDO") && f.split("/").at(-1)!.startsWith(id));
}

function setFaults(faults: string[]): Promise<Response> {
  return fetch(`${baseUrl}/v1/admin/faults`, faults.length ? { method: "PUT", headers: { ...ADMIN, "Content-Type": "application/json" }, body: JSON.stringify({ faults }) } : { method: "DELETE", headers: ADMIN });
}

describe("erasure during a turn in flight", () => {
  it("erases a verified customer 0.3 s into a slow turn, and no storage file of the conversation holds the message's text", async () => {
    const { CUSTOMER_SIGNING_SECRET } = JSON.parse(readFileSync(join(stateDir, "secrets.json"), "utf8")) as { CUSTOMER_SIGNING_SECRET: string };
    const customerId = `erase-${randomUUID()}`;
    const created = await fetch(`${baseUrl}/v1/conversations`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ customer: { id: customerId, name: "Ada" }, customerSignature: await signCustomer(CUSTOMER_SIGNING_SECRET, customerId) }),
    });
    expect(created.status).toBe(201);
    const conv = (await created.json()) as { id: string; token: string };
    const marker = `quokka${randomUUID().replaceAll("-", "")}`;
    const text = `Where is my parcel ${marker}? It was due on Monday.`;
    expect((await setFaults(["latency=1500"])).status).toBe(200);
    try {
      const turn = fetch(`${baseUrl}/v1/conversations/${conv.id}/messages`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` },
        body: JSON.stringify({ text, clientMessageId: randomUUID() }),
      });
      await new Promise((r) => setTimeout(r, 300));
      const erased = await fetch(`${baseUrl}/v1/admin/subjects/${encodeURIComponent(customerId)}`, { method: "DELETE", headers: ADMIN });
      expect(erased.status).toBe(200);
      expect(((await erased.json()) as { conversations: number }).conversations).toBe(1);
      // The turn either finished before the erasure or finds the conversation gone; never a 5xx.
      expect((await turn).status).toBeLessThan(500);
    } finally {
      await setFaults([]);
    }
    const read = await fetch(`${baseUrl}/v1/conversations/${conv.id}/messages`, { headers: { Authorization: `Bearer ${conv.token}` } });
    expect(read.status).toBe(404);
    const files = objectFiles(conv.id);
    expect(files.some((f) => f.endsWith(".sqlite"))).toBe(true);
    const holding = files.filter((f) => readFileSync(f).includes(marker));
    expect(holding).toEqual([]);
  });
});
