// The e2e stack's HTTP API as the tests call it: the admin key (global-setup.ts starts the
// stack with it), admin calls, and a customer's conversation over HTTP.
import { randomUUID } from "node:crypto";
import { expect, inject } from "vitest";

export const ADMIN_KEY = "e2e-admin-key-0123456789";

/** A call to the admin API (`/v1/admin…`) with the admin key, a JSON body if any. */
export function admin(path: string, method = "GET", body?: unknown): Promise<Response> {
  return fetch(`${inject("baseUrl")}/v1/admin${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined && { "Content-Type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The KB admin API (`/v1/admin/kb…`). */
export const adminKb = (path: string, method = "GET", body?: unknown): Promise<Response> => admin(`/kb${path}`, method, body);

export interface Reply {
  seq: number;
  text: string;
  meta: { mode: string; decision?: string; citations?: Array<{ articleId: string }>; suggestions?: Array<{ articleId: string; title: string }> };
}

/**
 * A customer's new conversation over HTTP: in `region` (the dev header stands in for a
 * location) when given, from the address `ip` when given.
 */
export async function conversation(options: { region?: string; ip?: string } = {}) {
  const baseUrl = inject("baseUrl");
  const from = { ...(options.ip && { "CF-Connecting-IP": options.ip }) };
  const res = await fetch(`${baseUrl}/v1/conversations`, { method: "POST", headers: { "Content-Type": "application/json", ...from, ...(options.region && { "X-Holdfast-Region": options.region }) }, body: "{}" });
  expect(res.status).toBe(201);
  const { id, token } = (await res.json()) as { id: string; token: string };
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...from };
  return {
    id,
    /** Sends a message; the bot's reply. */
    async ask(text: string): Promise<Reply> {
      const res = await fetch(`${baseUrl}/v1/conversations/${id}/messages`, { method: "POST", headers, body: JSON.stringify({ text, clientMessageId: randomUUID() }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { reply: Reply }).reply;
    },
    /** Marks the reply `seq` helpful. */
    async helpful(seq: number): Promise<void> {
      expect((await fetch(`${baseUrl}/v1/conversations/${id}/messages/${seq}/feedback`, { method: "POST", headers, body: JSON.stringify({ helpful: true }) })).status).toBe(200);
    },
  };
}

/**
 * Makes the KB writes waiting for a release live, as an editor does with KB releases on (the
 * stack's default): one release of everything pending, at 100%, promoted by hand.
 */
export async function releasePending(): Promise<void> {
  const { writes } = (await (await adminKb("/releases/pending")).json()) as { writes: unknown[] };
  if (!writes.length) return;
  const opened = await adminKb("/releases", "POST", { percent: 100, guard: { autoPromote: false } });
  expect(opened.status).toBe(201);
  const { id } = (await opened.json()) as { id: string };
  expect((await adminKb(`/releases/${id}/promote`, "POST")).status).toBe(200);
}
