// ConversationDO: one per conversation. Glue only: it adapts SQLite storage, the clock,
// alarms and hibernatable WebSockets to the turn logic in src/conversation, and its part in
// the human desk to conversation-handoff.ts. The Worker (or the team's AgentDeskDO) has
// already authenticated and validated every call that reaches it.
import { DurableObject } from "cloudflare:workers";
import { conversationMigrations } from "../migrations/conversation/index.ts";
import { DEFAULT_PLAN_CONFIG } from "../src/answer/plan.ts";
import { AnswerPipeline } from "../src/answer/pipeline.ts";
import { readConfig, type Config } from "../src/config.ts";
import { firstCheckMs, idleDecision, resolvable } from "../src/conversation/idle.ts";
import { returningMention, type HistoryEntry, type ReturningKind } from "../src/conversation/history.ts";
import type { AgentPost, DeskUpdate } from "../src/conversation/handoff.ts";
import { chosenProtocol, CLIENT_KEY_HEADER, errorFrame, parseClientFrame, PING, PONG, REPLAY_PAGE, type HandoffFrame, type LimitedFrame, type OfflineMessageInput, type RatingInput, type ServerFrame } from "../src/conversation/protocol.ts";
import { admitSend, LocalLimit } from "../src/conversation/send-limit.ts";
import { Turns } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationExport, ConversationMeta, CreateInput, Message, SendInput, TranscriptPage, TurnResult } from "../src/conversation/types.ts";
import type { HandoffReason, Resolution } from "../src/desk/model.ts";
import { bothObservers, type DeskObserver } from "../src/desk/observer.ts";
import { messageFacts } from "../src/conversation/message-facts.ts";
import { isRegion, type Region } from "../src/edge/regions.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { forgetGapExamples } from "../src/platform/events.ts";
import { forgetDerived, pipelinePorts } from "../src/platform/pipeline-ports.ts";
import { customerHistory, subjectIndexes } from "../src/platform/subjects.ts";
import { forgetWebhookDeliveries } from "../src/platform/webhook-outbox.ts";
import type { Keyring } from "../src/privacy/envelope.ts";
import type { RewrapAnswer } from "../src/privacy/key-rewrap.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { ConversationOps } from "./conversation-ops.ts";
import { conversationObserver } from "./conversation-observer.ts";
import { ErasedMarker } from "./conversation-erased.ts";
import { prepareRestore } from "./conversation-restore.ts";
import { FrameLimits } from "./conversation-frame-limits.ts";
import { ConversationLearning } from "./conversation-learning.ts";
import { ConversationRelease } from "./conversation-release.ts";
import { ConversationSignals } from "./conversation-signals.ts";
import { streamTurn } from "./conversation-stream.ts";
import { learningSink } from "../src/platform/learning.ts";
import { learnDigest } from "../src/kb/learning/digests.ts";
import { ConversationHandoff } from "./conversation-handoff.ts";
import { ConversationKey } from "./conversation-key.ts";
import type { AgentTranscript } from "./conversation-handoff-view.ts";
import { HandoffStore, type AgentRef, type Note, type StoredRating } from "./conversation-handoff-store.ts";
import { close, ConversationSockets, send } from "./conversation-sockets.ts";
import { ConversationStore } from "./conversation-store.ts";
import { ConversationMail, type MailDelivery, type MailReceipt } from "./conversation-mail.ts";
import { MailStore } from "./conversation-mail-store.ts";
import { MailAwareAnswerer } from "../src/email/answering.ts";
import { SocketLimits } from "./conversation-socket-limits.ts";

const BACKLOG_PAGE = 200;
/** How long an agent's read or the greeting waits for the customer's history. */
const HISTORY_TIMEOUT_MS = 2_000;

/** A customer frame refused by a limit, with when to retry. */
type Refusal = Extract<Outcome<never>, { ok: false }>;
const refusal = (retryAfterMs: number): Refusal => ({ ok: false, code: "rate_limited", retryAfterMs });

export class ConversationDO extends DurableObject<Env> {
  private readonly store: ConversationStore;
  /** Set by an erasure; every store checks it before writing (conversation-erased.ts). */
  private readonly marker: ErasedMarker;
  private readonly handoffs: HandoffStore;
  private readonly sockets: ConversationSockets;
  private readonly turns: Turns;
  private readonly handoff: ConversationHandoff;
  /** Ops events and the conversation's outcome (docs/ops.md). */
  private readonly ops: ConversationOps;
  /** Votes for learned questions (picks, feedback, agents), on their way to the KB primary. */
  readonly learning: ConversationLearning;
  /** The email channel: mail in, the mail outbox (conversation-mail.ts). */
  private readonly mail: ConversationMail;
  /** Its arm in a release (sticky) and what it tells the release guard. */
  private readonly release: ConversationRelease;
  /** Picks, marks and agents' articles, told to learning and the release guard. */
  private readonly signals: ConversationSignals;
  private readonly idleMs: number;
  private readonly defaultRegion: Region;
  private readonly config: Config;
  private readonly keyring: Keyring | null;
  /** The data key's part in master key rotation (the key registry). */
  private readonly key: ConversationKey;
  private readonly retentionMs: number;
  private alarmArmed = false;
  /** Per-IP sends and invalid frames of customer sockets. */
  private readonly socketLimits: SocketLimits;
  /** The conversation's limit on each kind of customer frame other than a message. */
  private readonly frames: FrameLimits;
  /** This conversation's share of the region's LLM budget (in memory: eviction only resets it). */
  private readonly llmShare = new LocalLimit();
  /** Ops events, the team's webhooks and the customer's history are wired in here (see src/desk/observer.ts); the release guard hears of handoffs. */
  observer: DeskObserver = bothObservers(conversationObserver({ env: this.env, ctx: this.ctx, ops: () => this.ops, store: () => this.store }), {
    handoffRequested: () => this.release.handoff(),
  });

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, conversationMigrations);
    this.marker = new ErasedMarker(ctx.storage.sql);
    this.store = new ConversationStore(ctx.storage, this.marker);
    this.sockets = new ConversationSockets(ctx);
    const config = readConfig(env);
    this.config = config;
    this.idleMs = config.idleSeconds * 1000;
    this.defaultRegion = config.defaultRegion;
    this.socketLimits = new SocketLimits(env, config, () => this.region());
    this.frames = new FrameLimits(ctx.storage.sql, config.limits.conversationFrames, this.marker);
    this.handoffs = new HandoffStore(ctx.storage.sql, this.store.nextSeq(), this.marker);
    this.release = new ConversationRelease(ctx, env, config, () => this.store.meta()?.id ?? null, this.marker);
    const answerer = new AnswerPipeline(
      pipelinePorts(env, config, ctx, {
        region: () => this.region(),
        jurisdiction: () => this.store.meta()?.jurisdiction ?? null,
        key: () => this.ctx.id.toString(),
        llmShare: (at) => this.llmShare.admit(at, config.limits.llmBudgetPerConversation),
        track: () => this.release.track(),
      }),
      { plan: DEFAULT_PLAN_CONFIG, deadlineMs: config.resilience.deadlineMs },
    );
    this.handoff = new ConversationHandoff({
      env,
      store: this.store,
      handoffs: this.handoffs,
      sockets: this.sockets,
      answerer,
      defaultTeam: config.desk.defaultTeam,
      turns: () => this.turns,
      touched: (at) => this.touched(at),
      close: (reason) => this.closeConversation(reason),
      observer: () => this.observer,
    });
    this.ops = new ConversationOps(ctx, env, config, () => this.store.meta(), () => this.region(), this.marker);
    this.learning = new ConversationLearning({ config, store: this.store, sql: ctx.storage.sql, sink: learningSink(env, config), armAt: (at) => this.armAt(at) });
    this.signals = new ConversationSignals(this.store, this.learning, this.release);
    this.mail = new ConversationMail({
      env,
      config,
      store: this.store,
      mails: new MailStore(ctx.storage.sql, this.marker),
      handoffs: this.handoffs,
      handoff: this.handoff,
      turns: () => this.turns,
      create: (input) => this.create(input),
      armBy: (at) => this.armAt(at),
    });
    this.turns = new Turns(
      {
        store: this.store,
        answerer: new MailAwareAnswerer(answerer),
        publish: (frame) => {
          this.sockets.publish(frame, "all");
          this.handoff.published(frame);
        },
        touched: (at) => this.touched(at),
        admit: (at) => admitSend(this.store, config.limits.conversation, at),
        now: () => Date.now(),
        wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        handover: this.handoff,
        observe: (turn) => {
          this.ops.turn(turn);
          const team = this.handoff.record().team;
          for (const m of [turn.message, turn.reply]) this.observer.messageStored?.({ conversationId: this.store.meta()?.id ?? "", team, message: messageFacts(m), at: Date.parse(m.createdAt) });
          this.release.turn(turn);
        },
      },
      { ackGraceMs: config.ackGraceMs },
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.keyring = config.dataKeyring;
    this.key = new ConversationKey(env, this.store, this.keyring);
    this.retentionMs = config.retentionDays * 86_400_000;
    // Loading rewraps a key under an older master key; the registry hears of it after.
    void ctx.blockConcurrencyWhile(async () => {
      await this.store.load(this.keyring);
      this.turns.resume();
    }).then(async () => {
      // Mail stored but not sent before a restart goes now.
      void this.mail.flush();
      await this.key.registerQuietly();
    });
  }

  async create(input: CreateInput): Promise<Outcome<ConversationMeta>> {
    if (this.marker.erased) return fail("conversation_not_found");
    if (!this.store.meta()) {
      if (!this.keyring) return fail("server_misconfigured");
      const at = Date.now();
      const ring = this.keyring;
      await this.key.create(input.id, ring, at, () => this.store.create(input, at, ring));
      this.release.created(input.release);
      this.handoff.created(input.team);
      this.ops.started(input.colo);
      this.touched(at);
      const team = this.handoff.record().team;
      this.observer.conversationCreated?.({ conversationId: input.id, team, locale: input.locale, region: input.region, channel: this.store.meta()?.channel ?? "web", verified: input.subject !== undefined, at });
    }
    return ok(this.store.meta()!);
  }

  /** Everything this conversation holds about its customer (a GDPR/CCPA export). */
  async export(): Promise<Outcome<ConversationExport>> {
    const conversation = this.store.meta();
    if (!conversation) return fail("conversation_not_found");
    const messages: Message[] = [];
    for (let after: number | null = 0; after !== null; ) {
      const page = await this.store.page(after, BACKLOG_PAGE);
      messages.push(...this.handoff.forCustomer(page.messages));
      after = page.nextAfter;
    }
    return ok({ conversation, messages: await this.mail.decorate(messages), ...(await this.handoff.view.heldAbout()) });
  }

  /**
   * Erases the conversation, in its turn order: a turn already queued or under way finishes
   * first (storing only sealed text), and every later one finds no conversation. Then its data
   * key goes, with the erased marker (a commit of its own: from then on nothing stored can be
   * read, even from a point-in-time copy, and nothing more is written), then what was derived
   * from it outside (the replica's memory of its questions, the region's gap examples), then
   * all of its storage.
   */
  erase(options: { learned?: boolean } = {}): Promise<Outcome<{ erased: boolean }>> {
    return this.turns.inOrder(async () => {
      const held = await this.export();
      if (!held.ok) return ok({ erased: false });
      const { conversation, messages } = held.value;
      // Read before the key goes: without it the conversation has no region (the default's would be asked to forget).
      const region = this.region();
      this.store.destroyKey(Date.now());
      await this.ctx.storage.sync();
      await this.key.forget(conversation.id);
      this.sockets.closeAll(1000, "erased");
      const questions = messages.filter((m) => m.role === "customer").map((m) => m.text);
      await Promise.all([
        forgetDerived(this.env, this.config, region, this.ctx.id.toString(), conversation.locale, questions).catch(() => {}),
        forgetGapExamples(this.env, this.config, region, conversation.id),
        forgetWebhookDeliveries(this.env, this.handoff.record().team, conversation.id),
      ]);
      // What it taught (learned questions in its words, its votes); retention keeps them: they are
      // redacted, keyed by digests, and confirmed by others (a subject's erasure removes them too).
      if (options.learned !== false && this.config.tokenSecret.length >= 16) {
        const digest = await learnDigest(this.config.tokenSecret, "conversation", conversation.id);
        await learningSink(this.env, this.config).erase({ conversations: [digest] }).catch(() => {});
      }
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      // The object lives on, empty but for the marker, until it is evicted: every later call
      // finds no conversation, and nothing is written again.
      applyMigrations(this.ctx.storage, conversationMigrations);
      this.marker.mark(Date.now());
      this.handoffs.forget();
      this.frames.forget();
      this.ops.forget();
      this.release.forget();
      this.alarmArmed = false;
      return ok({ erased: true });
    });
  }

  /** A mail for this conversation, read by the Worker's email handler; a second delivery is stored and answered once. */
  receiveMail(input: MailDelivery): Promise<Outcome<MailReceipt>> {
    if (this.marker.erased) return Promise.resolve(fail("conversation_not_found"));
    return this.mail.receive(input);
  }

  /**
   * Prepares a point-in-time restore of this conversation's storage to `at` (admin; in turn
   * order, so no turn is half done); `restart()` then applies it. An erased conversation is
   * refused (410): erasure wins.
   */
  restoreTo(at: number): Promise<Outcome<{ at: number }>> {
    return this.turns.inOrder(() => prepareRestore({ storage: this.ctx.storage, erased: this.marker.erased, createdAt: this.store.meta()?.createdAt ?? null }, at, Date.now()));
  }

  /** Resets the object: its next session starts from the prepared restore point (the caller sees this call fail). */
  restart(): void {
    this.ctx.abort("restored to a point in time");
  }

  /** Rewraps the data key under the current master key (a rewrap pass: `npm run keys -- rewrap`). */
  rewrapKey(): Promise<RewrapAnswer> {
    return this.key.rewrap();
  }

  /** `client`: the sender's client digest (the per-IP limiter key), for learning from a pick. */
  async send(input: SendInput, client?: string): Promise<Outcome<TurnResult>> {
    const outcome = await this.turns.send(input);
    if (outcome.ok) await this.signals.picked(input, outcome.value, client);
    return outcome;
  }

  /** Sends and streams the turn's events (conversation-stream.ts). */
  sendStream(input: SendInput, client?: string): Promise<Outcome<ReadableStream<Uint8Array>>> {
    return streamTurn(this.turns, input, (turn) => this.signals.picked(input, turn, client));
  }

  async history(after: number, limit: number): Promise<Outcome<TranscriptPage>> {
    if (!this.store.meta()) return fail("conversation_not_found");
    const page = await this.store.page(after, limit);
    return ok({ ...page, messages: this.handoff.forCustomer(page.messages) });
  }

  close(): Outcome<ConversationMeta> {
    const meta = this.store.meta();
    if (!meta) return fail("conversation_not_found");
    if (meta.status === "open") this.closeConversation("closed_by_customer");
    return ok(this.store.meta()!);
  }

  // ---- The human desk: the customer's side ----

  // Each of these counts against the conversation's limit for its kind of frame, whether it
  // came over the WebSocket or its HTTP mirror.

  /** The customer asks for a person explicitly (asking in words or accepting an offer goes through the turn). */
  async requestHandoff(reason?: HandoffReason): Promise<Outcome<HandoffFrame>> {
    return this.limited("handoff") ?? this.handoff.request(reason);
  }

  leaveMessage(input: OfflineMessageInput): Promise<Outcome<{ message: Message; duplicate: boolean; handoff: HandoffFrame }>> {
    return this.handoff.leaveMessage(input, () => this.limited("offline_message"));
  }

  async rate(input: RatingInput): Promise<Outcome<StoredRating>> {
    return this.limited("rating") ?? this.handoff.rate(input);
  }

  /** `client`: the requester's client digest, for learning from the mark. */
  async feedback(seq: number, helpful: boolean, client?: string): Promise<Outcome<{ seq: number; helpful: boolean }>> {
    const refused = this.limited("feedback");
    if (refused) return refused;
    const outcome = await this.handoff.feedback(seq, helpful);
    if (outcome.ok) await this.signals.marked(seq, helpful, client);
    return outcome;
  }

  /** Whether learning votes wait for the primary (status, tests). */
  learningPending(): boolean {
    return this.learning.pending();
  }

  // ---- The human desk: calls from the team's AgentDeskDO and agents' reads ----

  deskUpdate(update: DeskUpdate): void {
    this.handoff.deskUpdate(update);
  }

  async agentMessage(post: AgentPost): Promise<Outcome<{ message: Message; duplicate: boolean }>> {
    const outcome = await this.handoff.agentMessage(post);
    // Inserting a suggested article's answer confirms it for the customer's question.
    if (outcome.ok && !outcome.value.duplicate && post.articleId) await this.signals.agentConfirmed(post.articleId, post.agent.id);
    return outcome;
  }

  agentNote(input: { agent: AgentRef; text: string; clientMessageId: string }): Promise<Outcome<{ note: Note; duplicate: boolean }>> {
    return this.handoff.agentNote(input);
  }

  agentTyping(name: string): void {
    this.handoff.agentTyping(name);
  }

  /** `named`: the article the agent said answered the customer, a vote for their question. */
  async agentClosed(resolution: Resolution, named?: { articleId: string; agentId: string }): Promise<void> {
    if (named) await this.signals.agentConfirmed(named.articleId, named.agentId);
    this.handoff.agentClosed(resolution);
  }

  /** The transcript as an agent reads it, with the customer's earlier conversations; the Worker has checked access and audited the read. */
  async agentView(after: number, limit: number): Promise<Outcome<AgentTranscript>> {
    const [view, history] = await Promise.all([this.handoff.view.agentView(after, limit), this.customerHistory()]);
    return view.ok ? ok({ ...view.value, messages: await this.mail.decorate(view.value.messages), history }) : view;
  }

  /** A verified customer's other conversations, newest first (from the subject index); none for an unverified one, or when the index does not answer in time. */
  async customerHistory(): Promise<HistoryEntry[]> {
    const subject = this.store.subject();
    const id = this.store.meta()?.id;
    if (!subject || !id) return [];
    return customerHistory(this.env, subject, id, HISTORY_TIMEOUT_MS);
  }

  /** What the first screen mentions to a returning verified customer: their last conversation, if it was left open lately. */
  async returning(): Promise<{ kind: ReturningKind; at: string } | null> {
    return returningMention(await this.customerHistory(), Date.now());
  }

  /** WebSocket upgrade only: the Worker checked the token and the origin. */
  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.meta();
    if (!meta) return Response.json(errorFrame("conversation_not_found"), { status: 404 });
    if (meta.status === "closed") return Response.json(errorFrame("conversation_closed"), { status: 409 });
    if (this.sockets.count("customer") >= this.config.maxSocketsPerConversation) return Response.json(errorFrame("too_many_sockets"), { status: 429 });
    const after = Number(new URL(request.url).searchParams.get("after") ?? 0);
    const { client, server } = this.sockets.accept({ audience: "customer", client: request.headers.get(CLIENT_KEY_HEADER) ?? undefined });
    // What the client missed goes out before any live frame: one page of it, and a `more`
    // frame when there is more to read over HTTP. Nothing lost, nothing twice.
    const page = await this.store.page(after, REPLAY_PAGE);
    for (const message of this.handoff.forCustomer(page.messages)) send(server, { type: "message", message } satisfies ServerFrame);
    if (page.nextAfter !== null) send(server, { type: "more", after: page.nextAfter } satisfies ServerFrame);
    this.handoff.greet(server, send);
    const protocol = chosenProtocol(request.headers.get("sec-websocket-protocol"));
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {} });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const decision = parseClientFrame(data);
    switch (decision.kind) {
      case "too_large":
        return ws.close(1009, "frame too large");
      case "reject": {
        if (this.socketLimits.invalid(ws)) return close(ws, 1008, "too many invalid frames");
        return send(ws, errorFrame(decision.code));
      }
      case "send": {
        const { clientMessageId } = decision.input;
        // A WebSocket send counts against the client's per-IP limit, as an HTTP send does.
        const client = this.sockets.attachment(ws).client;
        const gate = client ? () => Promise.resolve(this.socketLimits.send(client)) : undefined;
        const outcome = await this.turns.send(
          decision.input,
          { accepted: (message, duplicate) => send(ws, { type: "ack", clientMessageId, seq: message.seq, ...(duplicate && { duplicate }) } satisfies ServerFrame) },
          gate,
        );
        if (!outcome.ok) send(ws, errorFrame(outcome.code, clientMessageId, outcome.retryAfterMs));
        else await this.signals.picked(decision.input, outcome.value, client);
        return;
      }
      case "handoff": {
        // On success every socket gets the handoff frame.
        const outcome = this.ipRefusal(ws) ?? (await this.requestHandoff(decision.reason));
        if (!outcome.ok) send(ws, errorFrame(outcome.code, undefined, outcome.retryAfterMs));
        return;
      }
      case "rating": {
        const outcome = this.ipRefusal(ws) ?? (await this.rate(decision.rating));
        send(ws, outcome.ok ? ({ type: "rated", score: outcome.value.score } satisfies ServerFrame) : errorFrame(outcome.code, undefined, outcome.retryAfterMs));
        return;
      }
      case "typing": {
        // Only the conversation's limit: typing is relayed, never stored, and a customer typing
        // every few seconds must not spend the per-IP allowance others behind the address share.
        const refused = this.limited("typing");
        return refused ? send(ws, errorFrame(refused.code, undefined, refused.retryAfterMs)) : this.handoff.customerTyping();
      }
      case "offline_message": {
        const { clientMessageId } = decision.input;
        const outcome = this.ipRefusal(ws) ?? (await this.leaveMessage(decision.input));
        send(ws, outcome.ok ? ({ type: "ack", clientMessageId, seq: outcome.value.message.seq, ...(outcome.value.duplicate && { duplicate: true }) } satisfies ServerFrame) : errorFrame(outcome.code, clientMessageId, outcome.retryAfterMs));
        return;
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.socketLimits.forget(ws);
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
    // Mail waiting in the outbox (a failed send, or a restart before sending) goes first.
    await this.mail.flush();
    // Every conversation has an alarm pending (idle, then retention): a registry entry that
    // could not be written before is written now.
    await this.key.registerQuietly();
    // Votes the primary could not take yet: sent again, and the next try kept armed whatever else the alarm sets.
    if (this.learning.pending()) await this.learning.flush(true);
    try {
      await this.timers();
    } finally {
      this.learning.rearm();
    }
  }

  /** The idle close and the retention deadline. */
  private async timers(): Promise<void> {
    this.ops.idle(Date.now());
    const meta = this.store.meta();
    if (meta?.status === "closed") await this.retention();
    else {
      const email = meta?.channel === "email";
      const idleMs = email ? this.config.email.idleSeconds * 1000 : this.idleMs;
      // Mail answers are slow: an email conversation is never assumed resolved, only idle.
      const autoResolveMs = email ? null : this.config.autoResolveMs;
      const answeredLast = autoResolveMs !== null && resolvable(await this.lastMessage(), this.handoff.record().status);
      const decision = idleDecision({ status: meta?.status ?? null, lastActivityAt: this.store.lastActivityAt(), idleMs, autoResolveMs, answeredLast, now: Date.now(), pendingTurns: this.turns.pending });
      if (decision.type === "rearm") {
        await this.ctx.storage.setAlarm(decision.at);
        this.alarmArmed = true;
      } else if (decision.type === "close") {
        // Resolved (assumed): the customer is asked for a rating first, when their team wants one.
        if (decision.reason === "auto_resolved" && this.config.csatOnResolve(this.handoff.record().team)) this.sockets.publish({ type: "rating_request" } satisfies ServerFrame);
        this.closeConversation(decision.reason);
      }
    }
    const retry = this.marker.erased ? null : this.mail.nextDue();
    if (retry !== null) this.armAt(retry);
  }

  /** The latest message of the transcript (the idle alarm asks), or null when there is none. */
  private async lastMessage(): Promise<Message | null> {
    const seq = this.store.nextSeq() - 1;
    return seq > 0 ? this.store.message(seq) : null;
  }

  private closeConversation(reason: CloseReason): void {
    const at = Date.now();
    if (reason !== "closed_by_agent") this.handoff.closed();
    this.store.close(reason, at);
    this.ops.closed();
    const record = this.handoff.record();
    this.observer.closed?.({ conversationId: this.store.meta()?.id ?? "", team: record.team, reason, resolution: record.resolution, at });
    this.sockets.publish({ type: "closed", reason } satisfies ServerFrame);
    this.sockets.closeAll(1000, reason);
    // From now on the alarm is the retention deadline (or sooner, for mail still to send).
    this.alarmArmed = true;
    void this.ctx.storage.setAlarm(at + this.retentionMs);
    const retry = this.mail.nextDue();
    if (retry !== null) this.armAt(retry);
  }

  /** A closed conversation is erased once its retention period has passed. */
  private async retention(): Promise<void> {
    const due = (this.store.closedAt() ?? 0) + this.retentionMs;
    if (Date.now() < due) {
      await this.ctx.storage.setAlarm(due);
      return;
    }
    const subject = this.store.subject();
    const id = this.store.meta()!.id;
    await this.erase({ learned: false });
    if (subject) await Promise.all(subjectIndexes(this.env, subject).map((index) => index.remove(id)));
  }

  /** Counts a customer frame of `kind` against the conversation's limit for it; the refusal, when over it. */
  private limited(kind: LimitedFrame): Refusal | null {
    // Nothing is counted, or written, for a conversation that does not exist (any more).
    if (!this.store.meta()) return null;
    const decision = this.frames.admit(kind, Date.now());
    return decision.allowed ? null : refusal(decision.retryAfterMs);
  }

  /** A WebSocket frame counts against its client's per-IP limit, as its HTTP mirror does; the refusal, when over it. */
  private ipRefusal(ws: WebSocket): Refusal | null {
    const client = this.sockets.attachment(ws).client;
    const decision = client ? this.socketLimits.send(client) : null;
    return !decision || decision.allowed ? null : refusal(decision.retryAfterMs);
  }

  /** The conversation's region (where its replica is). */
  private region(): Region {
    const region = this.store.meta()?.region ?? "";
    return isRegion(region) ? region : this.defaultRegion;
  }

  /** The alarm fires by `at` at the latest (a retry: learning votes, mail to send; a conversation opened again); the alarm's own logic re-arms what else is due. */
  private armAt(at: number): void {
    if (this.marker.erased) return;
    this.alarmArmed = true;
    void this.ctx.storage.getAlarm().then((alarm) => (alarm === null || alarm > at ? this.ctx.storage.setAlarm(at) : undefined));
  }

  /** Records activity: the idle alarm is armed once and re-arms itself (see src/conversation/idle.ts). */
  private touched(at: number): void {
    if (this.alarmArmed || this.marker.erased) return;
    this.alarmArmed = true;
    void this.ctx.storage.getAlarm().then((alarm) => (alarm === null ? this.ctx.storage.setAlarm(at + firstCheckMs(this.idleMs, this.config.autoResolveMs)) : undefined));
  }
}
