// The ConversationDO's customer WebSockets, as glue: the upgrade (with the replay of what the
// client missed), each frame a customer sends (a message, handoff, rating, typing, an offline
// message; invalid or too large), answered on that socket, and the close. Each frame counts
// against its client's per-IP limit (conversation-socket-limits.ts) as its HTTP mirror does,
// and against the conversation's own limit through the DO's RPC methods it shares with HTTP.
import type { Config } from "../src/config.ts";
import { chosenProtocol, CLIENT_KEY_HEADER, errorFrame, parseClientFrame, REPLAY_PAGE, type HandoffFrame, type LimitedFrame, type OfflineMessageInput, type RatingInput, type ServerFrame } from "../src/conversation/protocol.ts";
import type { Turns } from "../src/conversation/turns.ts";
import type { Message } from "../src/conversation/types.ts";
import type { HandoffReason } from "../src/desk/model.ts";
import type { Region } from "../src/edge/regions.ts";
import type { Outcome } from "../src/errors.ts";
import { refusal, type Refusal } from "./conversation-frame-limits.ts";
import type { ConversationHandoff } from "./conversation-handoff.ts";
import type { StoredRating } from "./conversation-handoff-store.ts";
import type { ConversationSignals } from "./conversation-signals.ts";
import { SocketLimits } from "./conversation-socket-limits.ts";
import { close, send, type ConversationSockets } from "./conversation-sockets.ts";
import type { ConversationStore } from "./conversation-store.ts";

export interface SocketFramesDeps {
  env: Env;
  config: Config;
  store: ConversationStore;
  sockets: ConversationSockets;
  handoff: ConversationHandoff;
  signals: ConversationSignals;
  turns: Turns;
  region(): Region;
  /** The conversation's limit on a kind of frame (for typing, which has no RPC method of its own). */
  limited(kind: LimitedFrame): Refusal | null;
  // The DO's RPC methods, which count the frame against the conversation's limit for its kind.
  requestHandoff(reason?: HandoffReason): Promise<Outcome<HandoffFrame>>;
  rate(input: RatingInput): Promise<Outcome<StoredRating>>;
  leaveMessage(input: OfflineMessageInput): Promise<Outcome<{ message: Message; duplicate: boolean; handoff: HandoffFrame }>>;
}

export class SocketFrames {
  private readonly d: SocketFramesDeps;
  /** Per-IP sends and invalid frames of customer sockets. */
  private readonly limits: SocketLimits;

  constructor(deps: SocketFramesDeps) {
    this.d = deps;
    this.limits = new SocketLimits(deps.env, deps.config, deps.region);
  }

  /** WebSocket upgrade only: the Worker checked the token and the origin. */
  async upgrade(request: Request): Promise<Response> {
    const { store, sockets, handoff } = this.d;
    const meta = store.meta();
    if (!meta) return Response.json(errorFrame("conversation_not_found"), { status: 404 });
    if (meta.status === "closed") return Response.json(errorFrame("conversation_closed"), { status: 409 });
    if (sockets.count("customer") >= this.d.config.maxSocketsPerConversation) return Response.json(errorFrame("too_many_sockets"), { status: 429 });
    const after = Number(new URL(request.url).searchParams.get("after") ?? 0);
    const { client, server } = sockets.accept({ audience: "customer", client: request.headers.get(CLIENT_KEY_HEADER) ?? undefined });
    // What the client missed goes out before any live frame: one page of it, and a `more`
    // frame when there is more to read over HTTP. Nothing lost, nothing twice.
    const page = await store.page(after, REPLAY_PAGE);
    for (const message of handoff.forCustomer(page.messages)) send(server, { type: "message", message } satisfies ServerFrame);
    if (page.nextAfter !== null) send(server, { type: "more", after: page.nextAfter } satisfies ServerFrame);
    handoff.greet(server, send);
    const protocol = chosenProtocol(request.headers.get("sec-websocket-protocol"));
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {} });
  }

  /** A frame from a customer's socket. */
  async message(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const decision = parseClientFrame(data);
    switch (decision.kind) {
      case "too_large":
        return ws.close(1009, "frame too large");
      case "reject": {
        if (this.limits.invalid(ws)) return close(ws, 1008, "too many invalid frames");
        return send(ws, errorFrame(decision.code));
      }
      case "send": {
        const { clientMessageId } = decision.input;
        // A WebSocket send counts against the client's per-IP limit, as an HTTP send does.
        const client = this.d.sockets.attachment(ws).client;
        const gate = client ? () => Promise.resolve(this.limits.send(client)) : undefined;
        const outcome = await this.d.turns.send(
          decision.input,
          { accepted: (message, duplicate) => send(ws, { type: "ack", clientMessageId, seq: message.seq, ...(duplicate && { duplicate }) } satisfies ServerFrame) },
          gate,
        );
        if (!outcome.ok) send(ws, errorFrame(outcome.code, clientMessageId, outcome.retryAfterMs));
        else await this.d.signals.picked(decision.input, outcome.value, client);
        return;
      }
      case "handoff": {
        // On success every socket gets the handoff frame.
        const outcome = this.ipRefusal(ws) ?? (await this.d.requestHandoff(decision.reason));
        if (!outcome.ok) send(ws, errorFrame(outcome.code, undefined, outcome.retryAfterMs));
        return;
      }
      case "rating": {
        const outcome = this.ipRefusal(ws) ?? (await this.d.rate(decision.rating));
        send(ws, outcome.ok ? ({ type: "rated", score: outcome.value.score } satisfies ServerFrame) : errorFrame(outcome.code, undefined, outcome.retryAfterMs));
        return;
      }
      case "typing": {
        // Only the conversation's limit: typing is relayed, never stored, and a customer typing
        // every few seconds must not spend the per-IP allowance others behind the address share.
        const refused = this.d.limited("typing");
        return refused ? send(ws, errorFrame(refused.code, undefined, refused.retryAfterMs)) : this.d.handoff.customerTyping();
      }
      case "offline_message": {
        const { clientMessageId } = decision.input;
        const outcome = this.ipRefusal(ws) ?? (await this.d.leaveMessage(decision.input));
        send(ws, outcome.ok ? ({ type: "ack", clientMessageId, seq: outcome.value.message.seq, ...(outcome.value.duplicate && { duplicate: true }) } satisfies ServerFrame) : errorFrame(outcome.code, clientMessageId, outcome.retryAfterMs));
        return;
      }
    }
  }

  /** The customer's end closed: the close is echoed. */
  closed(ws: WebSocket, code: number): void {
    this.limits.forget(ws);
    // 1005/1006 carry no code that may be echoed back.
    const echo = code === 1005 || code === 1006 ? 1000 : code;
    try {
      ws.close(echo, "bye");
    } catch {
      // Already closed.
    }
  }

  /** A WebSocket frame counts against its client's per-IP limit, as its HTTP mirror does; the refusal, when over it. */
  private ipRefusal(ws: WebSocket): Refusal | null {
    const client = this.d.sockets.attachment(ws).client;
    const decision = client ? this.limits.send(client) : null;
    return !decision || decision.allowed ? null : refusal(decision.retryAfterMs);
  }
}
