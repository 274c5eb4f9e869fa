// Scripted agents for the handoff drill: each signs in with an operator key, opens the desk's
// WebSocket, goes online and replies in every conversation assigned to it, one message at a
// time, until told to stop. Through a crash they reconnect and re-send what was not
// acknowledged with the same clientMessageId; an agent marked `leaves` never comes back.
import WebSocket from "ws";

export interface AgentSent {
  conversationId: string;
  clientMessageId: string;
  text: string;
  seq: number | null;
  retries: number;
}

export interface DrillAgent {
  id: string;
  name: string;
  token: string;
  sent: AgentSent[];
  /** Conversations the desk says are this agent's now. */
  mine: Set<string>;
  run(stopped: () => boolean): Promise<void>;
  /** Cuts the connection and never reconnects (an agent who is gone). */
  leave(): void;
  close(): void;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs an operator in at the desk; returns the session token. */
export async function signInAgent(base: string, key: string): Promise<{ token: string; agent: { id: string; name: string } }> {
  const res = await fetch(`${base}/v1/agent/session`, { method: "POST", headers: { Authorization: `Bearer ${key}` } });
  if (res.status !== 201) throw new Error(`agent sign-in: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; agent: { id: string; name: string } };
}

export async function scriptedAgent(base: string, key: string, capacity: number, pacingMs: number): Promise<DrillAgent> {
  const { token, agent } = await signInAgent(base, key);
  const sent: AgentSent[] = [];
  const mine = new Set<string>();
  let ws: WebSocket | null = null;
  let gone = false;
  let closing = false;
  let pending: { message: AgentSent; settled: () => void } | null = null;
  const send = (m: AgentSent) => ws?.send(JSON.stringify({ type: "message", conversationId: m.conversationId, text: m.text, clientMessageId: m.clientMessageId }));

  const connect = () => {
    if (gone || closing) return;
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/v1/agent/ws`, ["holdfast.agent.v1"], { headers: { Authorization: `Bearer ${token}` } });
    socket.on("open", () => {
      ws = socket;
      socket.send(JSON.stringify({ type: "presence", status: "online", capacity }));
      if (pending) {
        pending.message.retries++;
        send(pending.message);
      }
    });
    socket.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { type: string; conversationId?: string; clientMessageId?: string; seq?: number; code?: string };
      if (f.type === "assigned") mine.add(f.conversationId!);
      if (f.type === "unassigned") mine.delete(f.conversationId!);
      if (!pending || f.clientMessageId !== pending.message.clientMessageId) return;
      if (f.type === "ack") pending.message.seq = f.seq!;
      // Refused (the conversation moved on while the message was in flight): not acknowledged, not counted.
      if (f.type === "ack" || f.type === "error") pending.settled();
    });
    socket.on("error", () => socket.terminate());
    socket.on("close", () => {
      if (ws === socket) ws = null;
      if (!gone && !closing) setTimeout(connect, 200);
    });
  };

  let n = 0;
  return {
    id: agent.id,
    name: agent.name,
    token,
    sent,
    mine,
    async run(stopped) {
      connect();
      while (!stopped() && !gone) {
        const conversationId = [...mine][n % Math.max(1, mine.size)];
        if (!conversationId) {
          await pause(pacingMs);
          continue;
        }
        const message: AgentSent = { conversationId, clientMessageId: `agent-${agent.id}-${n}`, text: `agent ${agent.name} reply ${n} in ${conversationId.slice(-8)}`, seq: null, retries: 0 };
        n++;
        sent.push(message);
        const since = Date.now();
        await new Promise<void>((resolve) => {
          const settled = () => {
            clearInterval(guard);
            resolve();
          };
          // Give up on an acknowledgement only when the agent left, or long after the drill stopped.
          const guard = setInterval(() => {
            if (gone || (stopped() && Date.now() - since > 30_000)) settled();
          }, 250);
          pending = { message, settled };
          send(message);
        });
        pending = null;
        await pause(pacingMs);
      }
    },
    leave() {
      gone = true;
      ws?.terminate();
    },
    close() {
      closing = true;
      ws?.close();
    },
  };
}
