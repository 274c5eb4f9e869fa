// Helpers for driving the real Worker in workerd: create conversations, send, read.
import { exports } from "cloudflare:workers";

export const BASE = "https://holdfast.test";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export interface Created {
  id: string;
  token: string;
  websocketUrl: string;
}

export async function createConversation(body: Record<string, unknown> = {}): Promise<Created> {
  const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function send(conv: Created, text: string, clientMessageId: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(`/v1/conversations/${conv.id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}`, ...headers },
    body: JSON.stringify({ text, clientMessageId }),
  });
}

export async function transcript(conv: Created): Promise<Array<{ seq: number; role: string; text: string; replyTo?: number; clientMessageId?: string }>> {
  const out = [];
  for (let after = 0; ; ) {
    const res = await call(`/v1/conversations/${conv.id}/messages?after=${after}&limit=200`, { headers: { Authorization: `Bearer ${conv.token}` } });
    if (res.status !== 200) throw new Error(`transcript failed: ${res.status}`);
    const page = (await res.json()) as { messages: never[]; nextAfter: number | null };
    out.push(...page.messages);
    if (page.nextAfter === null) return out;
    after = page.nextAfter;
  }
}

export const cid = (n: number | string) => `client-msg-${n}`.padEnd(12, "0");
