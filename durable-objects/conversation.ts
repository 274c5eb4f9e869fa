// ConversationDO: one per conversation. Glue only: it adapts SQLite storage, the clock,
// alarms and hibernatable WebSockets to the turn logic in src/conversation. The Worker has
// already authenticated and validated every call that reaches it.
import { DurableObject } from "cloudflare:workers";
import { conversationMigrations } from "../migrations/conversation/index.ts";
import { DEFAULT_PLAN_CONFIG } from "../src/answer/plan.ts";
import { AnswerPipeline } from "../src/answer/pipeline.ts";
import { readConfig } from "../src/config.ts";
import { gcra } from "../src/edge/gcra.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { errorFrame, parseClientFrame } from "../src/conversation/frames.ts";
import { PING, PONG, SUBPROTOCOL } from "../src/conversation/socket-protocol.ts";
import { Turns } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationMeta, CreateInput, SendInput, ServerFrame, TranscriptPage, TurnResult } from "../src/conversation/types.ts";
import { sseEvent } from "../src/http/sse.ts";
import { isRegion, type Region } from "../src/edge/regions.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { pipelinePorts } from "./conversation-deps.ts";
import { ConversationStore } from "./conversation-store.ts";

const BACKLOG_PAGE = 200;

export class ConversationDO extends DurableObject<Env> {
  private readonly store: ConversationStore;
  private readonly turns: Turns;
  private readonly idleMs: number;
  private readonly defaultRegion: Region;
  private alarmArmed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, conversationMigrations);
    this.store = new ConversationStore(ctx.storage);
    const config = readConfig(env);
    this.idleMs = config.idleSeconds * 1000;
    this.defaultRegion = config.defaultRegion;
    this.turns = new Turns({
      store: this.store,
      answerer: new AnswerPipeline(pipelinePorts(env, config, ctx, () => this.region()), { plan: DEFAULT_PLAN_CONFIG, deadlineMs: config.resilience.deadlineMs }),
      publish: (frame) => this.publish(frame),
      touched: (at) => this.touched(at),
      admit: (at) => {
        const decision = gcra(this.store.sendTat(), config.limits.conversation, at);
        if (decision.allowed) this.store.setSendTat(decision.tat);
        return decision;
      },
      now: () => Date.now(),
    });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.turns.resume();
  }

  create(input: CreateInput): Outcome<ConversationMeta> {
    if (!this.store.meta()) {
      const at = Date.now();
      this.store.create(input, at);
      this.touched(at);
    }
    return ok(this.store.meta()!);
  }

  send(input: SendInput): Promise<Outcome<TurnResult>> {
    return this.turns.send(input);
  }

  /** Sends and streams the turn as SSE bytes: `message`, `delta`*, `done`. */
  async sendStream(input: SendInput): Promise<Outcome<ReadableStream<Uint8Array>>> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    // A client that hung up must not stop the turn; its reply is stored all the same.
    const write = (event: string, data: unknown) => writer.write(sseEvent(event, data)).catch(() => {});
    let started!: (outcome: Outcome<void>) => void;
    const start = new Promise<Outcome<void>>((resolve) => (started = resolve));
    const done = this.turns.send(input, {
      accepted: (message) => {
        started(ok(undefined));
        void write("message", message);
      },
      delta: (_replyTo, text) => void write("delta", { text }),
      replied: (reply) => void write("done", reply),
    });
    void done.then(async (outcome) => {
      if (!outcome.ok) started(fail(outcome.code, outcome.retryAfterMs));
      await writer.close().catch(() => {});
    });
    const first = await start;
    return first.ok ? ok(readable) : fail(first.code, first.retryAfterMs);
  }

  history(after: number, limit: number): Outcome<TranscriptPage> {
    if (!this.store.meta()) return fail("conversation_not_found");
    return ok(this.store.page(after, limit));
  }

  close(): Outcome<ConversationMeta> {
    const meta = this.store.meta();
    if (!meta) return fail("conversation_not_found");
    if (meta.status === "open") this.closeConversation("closed_by_customer");
    return ok(this.store.meta()!);
  }

  /** WebSocket upgrade only: the Worker checked the token and the origin. */
  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.meta();
    if (!meta) return Response.json(errorFrame("conversation_not_found"), { status: 404 });
    if (meta.status === "closed") return Response.json(errorFrame("conversation_closed"), { status: 409 });
    const after = Number(new URL(request.url).searchParams.get("after") ?? 0);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["customer"]);
    server.serializeAttachment({ role: "customer" });
    // Everything the client missed goes out before any live frame: nothing lost, nothing twice.
    for (let cursor: number | null = after; cursor !== null; ) {
      const page = this.store.page(cursor, BACKLOG_PAGE);
      for (const message of page.messages) server.send(JSON.stringify({ type: "message", message } satisfies ServerFrame));
      cursor = page.nextAfter;
    }
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": SUBPROTOCOL } });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const decision = parseClientFrame(data);
    if (decision.kind === "too_large") return ws.close(1009, "frame too large");
    if (decision.kind === "reject") return sendFrame(ws, errorFrame(decision.code));
    const { clientMessageId } = decision.input;
    const outcome = await this.turns.send(decision.input, {
      accepted: (message, duplicate) => sendFrame(ws, { type: "ack", clientMessageId, seq: message.seq, ...(duplicate && { duplicate }) }),
    });
    if (!outcome.ok) sendFrame(ws, errorFrame(outcome.code, clientMessageId, outcome.retryAfterMs));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005/1006 carry no code that may be echoed back.
    const echo = code === 1005 || code === 1006 ? 1000 : code;
    try {
      ws.close(echo, "bye");
    } catch {
      // Already closed.
    }
  }

  override async alarm(): Promise<void> {
    this.alarmArmed = false;
    const meta = this.store.meta();
    if (meta?.status !== "open") return;
    const due = (this.store.lastActivityAt() ?? 0) + this.idleMs;
    const now = Date.now();
    if (now < due || this.turns.pending > 0) {
      await this.ctx.storage.setAlarm(Math.max(due, now + 1000));
      this.alarmArmed = true;
      return;
    }
    this.closeConversation("idle_timeout");
  }

  private closeConversation(reason: CloseReason): void {
    this.store.close(reason, Date.now());
    this.publish({ type: "closed", reason });
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(1000, reason);
      } catch {
        // Already closed.
      }
    }
  }

  /** The conversation's region (where its replica is). */
  private region(): Region {
    const region = this.store.meta()?.region ?? "";
    return isRegion(region) ? region : this.defaultRegion;
  }

  /**
   * Records activity. The idle alarm is not moved on every message (each move is a storage
   * write a reply would wait for): it fires at the earliest possible idle time, and the
   * handler looks at the last activity and re-arms itself if the conversation was busy.
   */
  private touched(at: number): void {
    this.store.touch(at);
    if (this.alarmArmed) return;
    this.alarmArmed = true;
    void this.ctx.storage.getAlarm().then((alarm) => (alarm === null ? this.ctx.storage.setAlarm(at + this.idleMs) : undefined));
  }

  private publish(frame: ServerFrame): void {
    for (const ws of this.ctx.getWebSockets()) sendFrame(ws, frame);
  }
}

function sendFrame(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket closed meanwhile; the client resumes with ?after= when it reconnects.
  }
}
