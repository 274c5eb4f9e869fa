// Benchmark clients against a running local Worker: conversations over HTTP and WebSocket,
// timed turn by turn. Traffic goes to 127.0.0.1 only.
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

export interface Conversation {
  id: string;
  token: string;
}

export async function createConversation(base: string, locale = "en"): Promise<Conversation> {
  const res = await fetch(`${base}/v1/conversations`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locale }) });
  if (res.status !== 201) throw new Error(`create: ${res.status}`);
  return (await res.json()) as Conversation;
}

const FRAME_TIMEOUT_MS = 30_000;

/** A conversation's WebSocket, with timed heartbeats and turns. */
export class SocketSession {
  private readonly ws: WebSocket;
  private waiting: Array<{ match: (f: Record<string, unknown>) => boolean; resolve: () => void }> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      this.waiting = this.waiting.filter((w) => (w.match(frame) ? (w.resolve(), false) : true));
    });
  }

  static open(base: string, conv: Conversation): Promise<SocketSession> {
    const url = `${base.replace(/^http/, "ws")}/v1/conversations/${conv.id}/ws?after=1000000000`;
    const ws = new WebSocket(url, ["holdfast.v1"], { headers: { Authorization: `Bearer ${conv.token}` } });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new SocketSession(ws)));
      ws.once("error", reject);
    });
  }

  /**
   * The next frame that matches. A bench must fail, not hang, when an expected frame never
   * comes (`what` names it in the error); one only watched for (`what` null) waits until
   * cancelled, and is cancelled once the turn is over, so waiters do not pile up.
   */
  private next(match: (f: Record<string, unknown>) => boolean, what: string | null): { done: Promise<void>; cancel: () => void } {
    let entry!: { match: (f: Record<string, unknown>) => boolean; resolve: () => void };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      if (what) timer = setTimeout(() => reject(new Error(`no ${what} within ${FRAME_TIMEOUT_MS / 1000} s`)), FRAME_TIMEOUT_MS);
      entry = { match, resolve: () => (clearTimeout(timer), resolve()) };
      this.waiting.push(entry);
    });
    const cancel = () => {
      clearTimeout(timer);
      this.waiting = this.waiting.filter((w) => w !== entry);
    };
    return { done, cancel };
  }

  /** Round trip of the runtime's heartbeat auto-response (no application code). */
  async heartbeat(): Promise<number> {
    const started = performance.now();
    const pong = this.next((f) => f.type === "pong", "pong");
    this.ws.send('{"type":"ping"}');
    await pong.done;
    return performance.now() - started;
  }

  /** Sends a message and resolves when its reply arrives; returns the round trip in ms. */
  async turn(text: string, check?: (meta: Record<string, unknown>) => void): Promise<number> {
    const clientMessageId = randomUUID();
    const started = performance.now();
    let seq = -1;
    let meta: Record<string, unknown> = {};
    const acked = this.next((f) => f.type === "ack" && f.clientMessageId === clientMessageId && ((seq = f.seq as number), true), "ack");
    const replied = this.next((f) => {
      const message = f.message as { replyTo?: number; meta?: Record<string, unknown> } | undefined;
      if (f.type !== "message" || message?.replyTo !== seq) return false;
      meta = message.meta ?? {};
      return true;
    }, "reply");
    const refusal = this.next((f) => f.type === "error" && f.clientMessageId === clientMessageId, null);
    const refused = refusal.done.then(() => {
      throw new Error("the server refused a benchmark message");
    });
    this.ws.send(JSON.stringify({ type: "message", text, clientMessageId }));
    try {
      await Promise.race([acked.done, refused]);
      await Promise.race([replied.done, refused]);
    } finally {
      refusal.cancel();
    }
    const elapsed = performance.now() - started;
    check?.(meta);
    return elapsed;
  }

  close(): void {
    this.ws.close();
  }
}
