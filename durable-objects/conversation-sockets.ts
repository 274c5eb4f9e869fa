// The sockets of one conversation, kept apart from the Durable Object class: accepting
// hibernatable WebSockets tagged by audience (the customer's tabs, the agents working on
// it), publishing frames to one audience or both, and closing them all.

/** Who is on the other end of a socket. */
export type Audience = "customer" | "agent";

/** What a socket remembers across hibernation. */
export interface SocketAttachment {
  audience: Audience;
  /** The operator behind an agent socket. */
  operatorId?: string;
  /** The client's per-IP limiter key (a digest), for customer sockets. */
  client?: string;
}

export class ConversationSockets {
  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  /** Accepts a socket for an audience; returns the client end. */
  accept(attachment: SocketAttachment): { client: WebSocket; server: WebSocket } {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [attachment.audience]);
    server.serializeAttachment(attachment);
    return { client, server };
  }

  /** How many sockets an audience has open. */
  count(audience: Audience): number {
    return this.ctx.getWebSockets(audience).length;
  }

  attachment(ws: WebSocket): SocketAttachment {
    return (ws.deserializeAttachment() as SocketAttachment | null) ?? { audience: "customer" };
  }

  /** Sends a frame to one audience, or to everyone. */
  publish(frame: unknown, audience: Audience | "all" = "all"): void {
    const text = JSON.stringify(frame);
    for (const ws of audience === "all" ? this.ctx.getWebSockets() : this.ctx.getWebSockets(audience)) sendText(ws, text);
  }

  /** Closes every socket (or one audience's) with a code and reason. */
  closeAll(code: number, reason: string, audience?: Audience): void {
    for (const ws of audience ? this.ctx.getWebSockets(audience) : this.ctx.getWebSockets()) close(ws, code, reason);
  }
}

/** Sends one frame; a socket that closed meanwhile resumes with ?after= when it reconnects. */
export function send(ws: WebSocket, frame: unknown): void {
  sendText(ws, JSON.stringify(frame));
}

function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // Closed meanwhile.
  }
}

export function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
