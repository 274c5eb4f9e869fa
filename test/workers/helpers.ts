// Helpers for driving the real Worker in workerd: create conversations, send, read.
import { env, exports } from "cloudflare:workers";
import { readConfig } from "../../src/config.ts";
import type { KbDatabase } from "../../src/kb/articles.ts";
import { openPrimary } from "../../src/platform/primary.ts";

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

export interface StoredMessage {
  seq: number;
  role: string;
  text: string;
  replyTo?: number;
  clientMessageId?: string;
}

export async function transcript(conv: Created): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
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

export type Frame = { type: string; [k: string]: unknown };

/** A client WebSocket to a conversation that records every frame it receives. */
export class SocketClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.accept();
    ws.addEventListener("message", (e) => {
      this.frames.push(JSON.parse(e.data as string));
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  static async open(conv: Created, opts: { after?: number; headers?: Record<string, string> } = {}): Promise<SocketClient> {
    const res = await openSocket(conv, opts);
    if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
    return new SocketClient(res.webSocket);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  messages(): StoredMessage[] {
    return this.frames.filter((f) => f.type === "message").map((f) => f.message as never);
  }

  /** Resolves once `predicate` holds; fails after `ms` with what was received. */
  async until(predicate: (c: SocketClient) => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export function openSocket(conv: Created, opts: { after?: number; headers?: Record<string, string> } = {}): Promise<Response> {
  const query = opts.after === undefined ? "" : `?after=${opts.after}`;
  return call(`/v1/conversations/${conv.id}/ws${query}`, {
    headers: { Upgrade: "websocket", Authorization: `Bearer ${conv.token}`, ...opts.headers },
  });
}

export const ADMIN_KEY = "test-admin-key-0123456789";

/** A call to the admin API with the admin key. */
export function admin(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${ADMIN_KEY}` };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return call(`/v1/admin/kb${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

/** Creates an article through the admin API; fails the test if it is not created. */
export async function createArticle(input: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const res = await admin("/articles", { method: "POST", body: { status: "published", ...input } });
  if (res.status !== 201) throw new Error(`create article: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A unique suffix, so tests sharing the KB primary never collide. */
export const unique = () => crypto.randomUUID().slice(0, 8);

/** Switches dev faults on (fault injection), or all off with no names. */
export async function setFaults(...faults: string[]): Promise<void> {
  const res = await admin("/../faults", faults.length ? { method: "PUT", body: { faults } } : { method: "DELETE" });
  if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

/** Waits past the circuit breakers' cool-down (300 ms in tests). */
export const breakerCoolDown = () => new Promise((r) => setTimeout(r, 350));

/** Has a region's replica pull the KB and train its classifiers, so answers are deterministic. */
export async function warmReplica(region: string): Promise<void> {
  const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName(region));
  await replica.sync();
  await replica.train();
}

/**
 * The KB primary as the Worker opens it (same URL, token and breaker settings): the
 * isolate's breakers are shared, so a test must not open them with other settings.
 */
export function testPrimary(): KbDatabase {
  return openPrimary(readConfig(env).primary);
}
