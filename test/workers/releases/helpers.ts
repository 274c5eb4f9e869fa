// Helpers for the release tests: operators with roles, admin calls, conversations in a
// region, a turn's reply, and warming a release's candidate replica.
import { env } from "cloudflare:workers";
import { ADMIN_KEY, call, cid, type Created } from "../helpers.ts";

export type Role = "admin" | "kb_editor" | "agent" | "ops_viewer";

export function as(key: string, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return call(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export const asAdmin = (method: string, path: string, body?: unknown) => as(ADMIN_KEY, method, path, body);

export async function operatorKey(role: Role): Promise<string> {
  const res = await asAdmin("POST", "/v1/admin/operators", { name: `Release test ${role} ${crypto.randomUUID().slice(0, 6)}`, role });
  if (res.status !== 201) throw new Error(`create operator: ${res.status} ${await res.text()}`);
  return (await res.json<{ key: string }>()).key;
}

export interface ReleaseBody {
  id: string;
  kind: string;
  state: string;
  stableVersion: number;
  candidateVersion: number;
  percent: number;
  guard: { minConversations: number; maxMinutes: number; autoPromote: boolean; alpha: number };
  closedBy: string | null;
  reason: string | null;
  articles: number;
  comparison: { canary: { conversations: number }; stable: { conversations: number } } | null;
}

export async function conversationIn(region: string): Promise<Created> {
  const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json", "X-Holdfast-Region": region }, body: "{}" });
  if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
  return res.json<Created>();
}

export interface Reply {
  seq: number;
  text: string;
  meta: { decision?: string; kbVersion?: number; release?: { id: string; arm: "canary" | "stable" }; citations?: Array<{ articleId: string }>; suggestions?: Array<{ articleId: string }> };
}

let n = 0;
/** Sends one message; the bot's reply. */
export async function ask(conv: Created, text: string, extra: Record<string, unknown> = {}): Promise<Reply> {
  const res = await call(`/v1/conversations/${conv.id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` },
    body: JSON.stringify({ text, clientMessageId: cid(`rel-${++n}-${crypto.randomUUID().slice(0, 6)}`), ...extra }),
  });
  if (res.status !== 200) throw new Error(`send: ${res.status} ${await res.text()}`);
  return (await res.json<{ reply: Reply }>()).reply;
}

/** Has the release's candidate replica of a region pull the candidate KB and train on it. */
export async function warmCandidate(region: string, releaseId: string): Promise<void> {
  const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName(`${region}:canary:${releaseId}`));
  await replica.sync();
  await replica.train();
}

export const cited = (r: Reply) => r.meta.citations?.[0]?.articleId ?? null;
