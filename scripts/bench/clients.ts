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

  private next(match: (f: Record<string, unknown>) => boolean): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ match, resolve }));
  }

  /** Round trip of the runtime's heartbeat auto-response (no application code). */
  async heartbeat(): Promise<number> {
    const started = performance.now();
    const pong = this.next((f) => f.type === "pong");
    this.ws.send('{"type":"ping"}');
    await pong;
    return performance.now() - started;
  }

  /** Sends a message and resolves when its reply arrives; returns the round trip in ms. */
  async turn(text: string, check?: (meta: Record<string, unknown>) => void): Promise<number> {
    const clientMessageId = randomUUID();
    const started = performance.now();
    let seq = -1;
    let meta: Record<string, unknown> = {};
    const acked = this.next((f) => f.type === "ack" && f.clientMessageId === clientMessageId && ((seq = f.seq as number), true));
    const replied = this.next((f) => {
      const message = f.message as { replyTo?: number; meta?: Record<string, unknown> } | undefined;
      if (f.type !== "message" || message?.replyTo !== seq) return false;
      meta = message.meta ?? {};
      return true;
    });
    const refused = this.next((f) => f.type === "error" && f.clientMessageId === clientMessageId).then(() => {
      throw new Error("the server refused a benchmark message");
    });
    this.ws.send(JSON.stringify({ type: "message", text, clientMessageId }));
    await Promise.race([acked, refused]);
    await Promise.race([replied, refused]);
    const elapsed = performance.now() - started;
    check?.(meta);
    return elapsed;
  }

  close(): void {
    this.ws.close();
  }
}
