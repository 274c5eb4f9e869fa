// Drill clients: each one a customer in its own conversation, sending message after message
// over WebSocket or HTTP, and carrying on through server crashes: WebSocket clients
// reconnect with ?after=<last seq> and re-send what was not acknowledged, HTTP clients
// retry with the same clientMessageId. They record every acknowledgement they get.
import WebSocket from "ws";
import { createConversation, type Conversation } from "../bench/clients.ts";

export interface Sent {
  clientMessageId: string;
  text: string;
  /** The seq the server acknowledged, once it did. */
  seq: number | null;
  /** Times it had to be sent again (the server was down, or the connection dropped). */
  retries: number;
}

export interface DrillClient {
  transport: "websocket" | "http";
  conversation: Conversation;
  sent: Sent[];
  /** Sends until `stop()` resolves, then finishes the message in flight. */
  run(stopped: () => boolean): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a drill customer says: `first` as its opening message (asking for a person, say), then numbered messages. */
export interface Script {
  first?: string;
}

const textOf = (id: number, i: number, script: Script) => (i === 0 && script.first ? script.first : `drill message ${i} from client ${id}`);

export async function httpClient(base: string, id: number, pacingMs: number, script: Script = {}): Promise<DrillClient> {
  const conversation = await createConversation(base);
  const sent: Sent[] = [];
  return {
    transport: "http",
    conversation,
    sent,
    async run(stopped) {
      for (let i = 0; !stopped(); i++) {
        const message: Sent = { clientMessageId: `drill-${id}-${i}`, text: textOf(id, i, script), seq: null, retries: 0 };
        sent.push(message);
        // Retry the same message until it is acknowledged: the server stores it once.
        for (let attempt = 0; message.seq === null; attempt++) {
          if (attempt) message.retries++;
          try {
            const res = await fetch(`${base}/v1/conversations/${conversation.id}/messages`, {
              method: "POST",
              headers: { "Content-Type": "application/json", Authorization: `Bearer ${conversation.token}` },
              body: JSON.stringify({ text: message.text, clientMessageId: message.clientMessageId }),
              signal: AbortSignal.timeout(10_000),
            });
            if (res.status === 200) message.seq = ((await res.json()) as { message: { seq: number } }).message.seq;
            else await res.body?.cancel();
          } catch {
            // The server is down or restarting.
          }
          if (message.seq === null) await pause(Math.min(1_000, 100 * 2 ** attempt));
          if (stopped() && attempt > 60) break;
        }
        await pause(pacingMs);
      }
    },
  };
}

export async function socketClient(base: string, id: number, pacingMs: number, script: Script = {}): Promise<DrillClient> {
  const conversation = await createConversation(base);
  const sent: Sent[] = [];
  let lastSeq = 0;
  let ws: WebSocket | null = null;
  let closing = false;
  let pending: { message: Sent; acked: () => void } | null = null;
  const send = (m: Sent) => ws?.send(JSON.stringify({ type: "message", text: m.text, clientMessageId: m.clientMessageId }));

  const connect = () => {
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/v1/conversations/${conversation.id}/ws?after=${lastSeq}`, ["holdfast.v1"], {
      headers: { Authorization: `Bearer ${conversation.token}` },
    });
    socket.on("open", () => {
      ws = socket;
      // What was not acknowledged before the connection dropped goes again, same id.
      if (pending) {
        pending.message.retries++;
        send(pending.message);
      }
    });
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; clientMessageId?: string; seq?: number; message?: { seq: number } };
      if (frame.message) lastSeq = Math.max(lastSeq, frame.message.seq);
      if (frame.type === "ack" && pending && frame.clientMessageId === pending.message.clientMessageId) {
        pending.message.seq = frame.seq!;
        pending.acked();
      }
    });
    socket.on("error", () => socket.terminate());
    socket.on("close", () => {
      if (ws === socket) ws = null;
      if (!closing) setTimeout(connect, 200);
    });
  };

  return {
    transport: "websocket",
    conversation,
    sent,
    async run(stopped) {
      connect();
      for (let i = 0; !stopped(); i++) {
        const message: Sent = { clientMessageId: `drill-${id}-${i}`, text: textOf(id, i, script), seq: null, retries: 0 };
        sent.push(message);
        const since = Date.now();
        await new Promise<void>((acked) => {
          pending = { message, acked };
          send(message);
          // Give up on an acknowledgement only long after the drill stopped sending.
          const guard = setInterval(() => {
            if (message.seq !== null || (stopped() && Date.now() - since > 30_000)) {
              clearInterval(guard);
              acked();
            }
          }, 250);
        });
        pending = null;
        await pause(pacingMs);
      }
      closing = true;
      (ws as WebSocket | null)?.close();
    },
  };
}
