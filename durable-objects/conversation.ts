// ConversationDO: one per conversation. Glue only: it adapts SQLite storage, the clock,
// alarms and hibernatable WebSockets to the turn logic in src/conversation. The Worker has
// already authenticated and validated every call that reaches it.
import { DurableObject } from "cloudflare:workers";
import { conversationMigrations } from "../migrations/conversation/index.ts";
import { DEFAULT_PLAN_CONFIG } from "../src/answer/plan.ts";
import { AnswerPipeline } from "../src/answer/pipeline.ts";
import { readConfig } from "../src/config.ts";
import { idleDecision } from "../src/conversation/idle.ts";
import { chosenProtocol, errorFrame, parseClientFrame, PING, PONG, type ServerFrame, type TurnEvent } from "../src/conversation/protocol.ts";
import { admitSend } from "../src/conversation/send-limit.ts";
import { Turns } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationMeta, CreateInput, SendInput, TranscriptPage, TurnResult } from "../src/conversation/types.ts";
import { isRegion, type Region } from "../src/edge/regions.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { pipelinePorts } from "../src/platform/pipeline-ports.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { ConversationOps } from "./conversation-ops.ts";
import { ConversationSockets, send } from "./conversation-sockets.ts";
import { ConversationStore } from "./conversation-store.ts";

const BACKLOG_PAGE = 200;

export class ConversationDO extends DurableObject<Env> {
  private readonly store: ConversationStore;
  private readonly sockets: ConversationSockets;
  private readonly turns: Turns;
  /** Ops events and the conversation's outcome (docs/ops.md). */
  private readonly ops: ConversationOps;
  private readonly idleMs: number;
  private readonly defaultRegion: Region;
  private alarmArmed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, conversationMigrations);
    this.store = new ConversationStore(ctx.storage);
    this.sockets = new ConversationSockets(ctx);
    const config = readConfig(env);
    this.idleMs = config.idleSeconds * 1000;
    this.defaultRegion = config.defaultRegion;
    this.ops = new ConversationOps(ctx, env, config, () => this.store.meta(), () => this.region());
    this.turns = new Turns(
      {
        store: this.store,
        answerer: new AnswerPipeline(pipelinePorts(env, config, ctx, () => this.region(), () => this.ctx.id.toString()), { plan: DEFAULT_PLAN_CONFIG, deadlineMs: config.resilience.deadlineMs }),
        publish: (frame) => this.sockets.publish(frame, "all"),
        touched: (at) => this.touched(at),
        admit: (at) => admitSend(this.store, config.limits.conversation, at),
        now: () => Date.now(),
        wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        observe: (turn) => this.ops.turn(turn),
      },
      { ackGraceMs: config.ackGraceMs },
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.turns.resume();
  }

  create(input: CreateInput): Outcome<ConversationMeta> {
    if (!this.store.meta()) {
      const at = Date.now();
      this.store.create(input, at);
      this.ops.started(input.colo);
      this.touched(at);
    }
    return ok(this.store.meta()!);
  }

  send(input: SendInput): Promise<Outcome<TurnResult>> {
    return this.turns.send(input);
  }

  /** Sends and streams the turn's events, one JSON object per line (the Worker makes them SSE). */
  async sendStream(input: SendInput): Promise<Outcome<ReadableStream<Uint8Array>>> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    // A client that hung up must not stop the turn; its reply is stored all the same.
    const write = (event: TurnEvent) => void writer.write(encoder.encode(`${JSON.stringify(event)}\n`)).catch(() => {});
    let started!: (outcome: Outcome<void>) => void;
    const start = new Promise<Outcome<void>>((resolve) => (started = resolve));
    const done = this.turns.send(input, {
      accepted: (message) => {
        started(ok(undefined));
        write({ event: "message", data: message });
      },
      delta: (_replyTo, text) => write({ event: "delta", data: { text } }),
      replied: (reply) => write({ event: "done", data: reply }),
    });
    void done.then(async (outcome) => {
      if (!outcome.ok) started(fail(outcome.code, outcome.retryAfterMs));
      await writer.close().catch(() => {});
    });
    const first = await start;
    return first.ok ? ok(readable) : fail(first.code, first.retryAfterMs);
  }

  async history(after: number, limit: number): Promise<Outcome<TranscriptPage>> {
    if (!this.store.meta()) return fail("conversation_not_found");
    return ok(await this.store.page(after, limit));
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
    const { client, server } = this.sockets.accept({ audience: "customer" });
    // Everything the client missed goes out before any live frame: nothing lost, nothing twice.
    await this.sockets.replay(
      server,
      async (cursor) => {
        const page = await this.store.page(cursor, BACKLOG_PAGE);
        return { items: page.messages, nextAfter: page.nextAfter };
      },
      after,
      (message): ServerFrame => ({ type: "message", message }),
    );
    const protocol = chosenProtocol(request.headers.get("sec-websocket-protocol"));
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {} });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const decision = parseClientFrame(data);
    if (decision.kind === "too_large") return ws.close(1009, "frame too large");
    if (decision.kind === "reject") return send(ws, errorFrame(decision.code));
    const { clientMessageId } = decision.input;
    const outcome = await this.turns.send(decision.input, {
      accepted: (message, duplicate) => send(ws, { type: "ack", clientMessageId, seq: message.seq, ...(duplicate && { duplicate }) } satisfies ServerFrame),
    });
    if (!outcome.ok) send(ws, errorFrame(outcome.code, clientMessageId, outcome.retryAfterMs));
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
    this.ops.idle(Date.now());
    const meta = this.store.meta();
    const decision = idleDecision({ status: meta?.status ?? null, lastActivityAt: this.store.lastActivityAt(), idleMs: this.idleMs, now: Date.now(), pendingTurns: this.turns.pending });
    if (decision.type === "rearm") {
      await this.ctx.storage.setAlarm(decision.at);
      this.alarmArmed = true;
    } else if (decision.type === "close") this.closeConversation("idle_timeout");
  }

  private closeConversation(reason: CloseReason): void {
    this.store.close(reason, Date.now());
    this.ops.closed();
    this.sockets.publish({ type: "closed", reason } satisfies ServerFrame);
    this.sockets.closeAll(1000, reason);
  }

  /** The conversation's region (where its replica is). */
  private region(): Region {
    const region = this.store.meta()?.region ?? "";
    return isRegion(region) ? region : this.defaultRegion;
  }

  /** Records activity: the idle alarm is armed once and re-arms itself (see src/conversation/idle.ts). */
  private touched(at: number): void {
    if (this.alarmArmed) return;
    this.alarmArmed = true;
    void this.ctx.storage.getAlarm().then((alarm) => (alarm === null ? this.ctx.storage.setAlarm(at + this.idleMs) : undefined));
  }
}
