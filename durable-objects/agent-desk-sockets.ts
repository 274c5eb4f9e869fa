// The agent consoles connected to one desk: hibernatable WebSockets tagged by agent, so a
// frame can go to one agent's consoles (every tab they have open) or to the whole team.
import type { AgentServerFrame } from "../src/desk/protocol.ts";
import { close, send } from "./conversation-sockets.ts";

/** Who is behind an agent socket; it survives hibernation. */
export interface AgentAttachment {
  agentId: string;
  name: string;
  team: string;
  role: "agent" | "admin";
}

const TEAM = "agents";
const tagOf = (agentId: string) => `agent:${agentId}`;

export class DeskSockets {
  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  /** Accepts a console's socket; returns the client end. */
  accept(attachment: AgentAttachment): { client: WebSocket; server: WebSocket } {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [TEAM, tagOf(attachment.agentId)]);
    server.serializeAttachment(attachment);
    return { client, server };
  }

  attachment(ws: WebSocket): AgentAttachment | null {
    return (ws.deserializeAttachment() as AgentAttachment | null) ?? null;
  }

  /** How many consoles an agent has open, leaving out one that is closing. */
  count(agentId: string, except?: WebSocket): number {
    return this.ctx.getWebSockets(tagOf(agentId)).filter((ws) => ws !== except).length;
  }

  toAgent(agentId: string, frame: AgentServerFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.ctx.getWebSockets(tagOf(agentId))) sendText(ws, text);
  }

  toTeam(frame: AgentServerFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.ctx.getWebSockets(TEAM)) sendText(ws, text);
  }

  send(ws: WebSocket, frame: AgentServerFrame): void {
    send(ws, frame);
  }

  close(ws: WebSocket, code: number, reason: string): void {
    close(ws, code, reason);
  }
}

function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // Closed meanwhile; the console catches up when it reconnects.
  }
}
