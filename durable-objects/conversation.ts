// ConversationDO: one per conversation. Glue only: it adapts SQLite storage, the clock,
// alarms and hibernatable WebSockets to the turn logic in src/conversation, and its part in
// the human desk to conversation-handoff.ts; its companions hold the customer's sockets
// (conversation-socket-frames.ts), the turns' wiring (conversation-turns.ts), the alarm
// (conversation-timers.ts) and the export and erasure (conversation-erasure.ts). The Worker
// (or the team's AgentDeskDO) has already authenticated and validated every call that
// reaches it.
import { DurableObject } from "cloudflare:workers";
import { conversationMigrations } from "../migrations/conversation/index.ts";
import { readConfig, type Config } from "../src/config.ts";
import { returningMention, type HistoryEntry, type ReturningKind } from "../src/conversation/history.ts";
import type { AgentPost, DeskUpdate } from "../src/conversation/handoff.ts";
import { PING, PONG, type HandoffFrame, type LimitedFrame, type OfflineMessageInput, type RatingInput, type ServerFrame } from "../src/conversation/protocol.ts";
import type { Turns } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationExport, ConversationMeta, CreateInput, Message, SendInput, TranscriptPage, TurnResult } from "../src/conversation/types.ts";
import type { HandoffReason, Resolution } from "../src/desk/model.ts";
import { bothObservers, type DeskObserver } from "../src/desk/observer.ts";
import { isRegion, type Region } from "../src/edge/regions.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { customerHistory } from "../src/platform/subjects.ts";
import type { Keyring } from "../src/privacy/envelope.ts";
import type { RewrapAnswer } from "../src/privacy/key-rewrap.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { ConversationOps } from "./conversation-ops.ts";
import { conversationObserver } from "./conversation-observer.ts";
import { ErasedMarker } from "./conversation-erased.ts";
import { prepareRestore } from "./conversation-restore.ts";
import { FrameLimits, refusal, type Refusal } from "./conversation-frame-limits.ts";
import { ConversationLearning } from "./conversation-learning.ts";
import { ConversationRelease } from "./conversation-release.ts";
import { ConversationSignals } from "./conversation-signals.ts";
import { streamTurn } from "./conversation-stream.ts";
import { learningSink } from "../src/platform/learning.ts";
import { ConversationHandoff } from "./conversation-handoff.ts";
import { ConversationKey } from "./conversation-key.ts";
import type { AgentTranscript } from "./conversation-handoff-view.ts";
import { HandoffStore, type AgentRef, type Note, type StoredRating } from "./conversation-handoff-store.ts";
import { ConversationSockets } from "./conversation-sockets.ts";
import { ConversationStore } from "./conversation-store.ts";
import { ConversationMail, type MailDelivery, type MailReceipt } from "./conversation-mail.ts";
import { MailStore } from "./conversation-mail-store.ts";
import { SocketFrames } from "./conversation-socket-frames.ts";
import { ConversationErasure } from "./conversation-erasure.ts";
import { ConversationTimers } from "./conversation-timers.ts";
import { conversationAnswerer, conversationTurns } from "./conversation-turns.ts";

/** How long an agent's read or the greeting waits for the customer's history. */
const HISTORY_TIMEOUT_MS = 2_000;

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
  private readonly defaultRegion: Region;
  private readonly config: Config;
  private readonly keyring: Keyring | null;
  /** The data key's part in master key rotation (the key registry). */
  private readonly key: ConversationKey;
  /** The alarm: the idle close, the retention deadline, retries (conversation-timers.ts). */
  private readonly timers: ConversationTimers;
  /** The export and erasure of what it holds, on request or after retention (conversation-erasure.ts). */
  private readonly erasure: ConversationErasure;
  /** The customer's WebSockets: the upgrade, their frames, the close (conversation-socket-frames.ts). */
  private readonly socketFrames: SocketFrames;
  /** The conversation's limit on each kind of customer frame other than a message. */
  private readonly frames: FrameLimits;
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
    this.defaultRegion = config.defaultRegion;
    this.frames = new FrameLimits(ctx.storage.sql, config.limits.conversationFrames, this.marker);
    this.handoffs = new HandoffStore(ctx.storage.sql, this.store.nextSeq(), this.marker);
    this.release = new ConversationRelease(ctx, env, config, () => this.store.meta()?.id ?? null, this.marker);
    const answerer = conversationAnswerer(ctx, env, config, { store: this.store, release: this.release, region: () => this.region() });
    this.handoff = new ConversationHandoff({
      env,
      store: this.store,
      handoffs: this.handoffs,
      sockets: this.sockets,
      answerer,
      defaultTeam: config.desk.defaultTeam,
      turns: () => this.turns,
      touched: (at) => this.timers.touched(at),
      close: (reason) => this.closeConversation(reason),
      observer: () => this.observer,
    });
    this.ops = new ConversationOps(ctx, env, config, () => this.store.meta(), () => this.region(), this.marker);
    this.learning = new ConversationLearning({ config, store: this.store, sql: ctx.storage.sql, sink: learningSink(env, config), armAt: (at) => this.timers.armAt(at) });
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
      armBy: (at) => this.timers.armAt(at),
    });
    this.turns = conversationTurns({
      config,
      store: this.store,
      answerer,
      sockets: this.sockets,
      handoff: this.handoff,
      ops: this.ops,
      release: this.release,
      observer: () => this.observer,
      touched: (at) => this.timers.touched(at),
    });
    this.keyring = config.dataKeyring;
    this.key = new ConversationKey(env, this.store, this.keyring);
    const retentionMs = config.retentionDays * 86_400_000;
    this.erasure = new ConversationErasure({
      ctx,
      env,
      config,
      store: this.store,
      marker: this.marker,
      key: this.key,
      sockets: this.sockets,
      handoff: this.handoff,
      mail: this.mail,
      turns: this.turns,
      retentionMs,
      region: () => this.region(),
      forget: () => {
        this.handoffs.forget();
        this.frames.forget();
        this.ops.forget();
        this.release.forget();
        this.timers.forget();
      },
    });
    this.timers = new ConversationTimers({
      storage: ctx.storage,
      config: () => this.config,
      store: this.store,
      marker: this.marker,
      handoff: this.handoff,
      sockets: this.sockets,
      mail: this.mail,
      ops: this.ops,
      turns: this.turns,
      retentionMs,
      close: (reason) => this.closeConversation(reason),
      retention: () => this.erasure.retention(),
    });
    this.socketFrames = new SocketFrames({
      env,
      config,
      store: this.store,
      sockets: this.sockets,
      handoff: this.handoff,
      signals: this.signals,
      turns: this.turns,
      region: () => this.region(),
      limited: (kind) => this.limited(kind),
      requestHandoff: (reason) => this.requestHandoff(reason),
      rate: (input) => this.rate(input),
      leaveMessage: (input) => this.leaveMessage(input),
    });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
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
      this.timers.touched(at);
      const team = this.handoff.record().team;
      this.observer.conversationCreated?.({ conversationId: input.id, team, locale: input.locale, region: input.region, channel: this.store.meta()?.channel ?? "web", verified: input.subject !== undefined, at });
    }
    return ok(this.store.meta()!);
  }

  /** Everything this conversation holds about its customer (a GDPR/CCPA export). */
  export(): Promise<Outcome<ConversationExport>> {
    return this.erasure.export();
  }

  /** Erases the conversation in its turn order, and what was derived from it outside (conversation-erasure.ts). */
  erase(options: { learned?: boolean } = {}): Promise<Outcome<{ erased: boolean }>> {
    return this.erasure.erase(options);
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
  override fetch(request: Request): Promise<Response> {
    return this.socketFrames.upgrade(request);
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.socketFrames.message(ws, data);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.socketFrames.closed(ws, code);
  }

  override async alarm(): Promise<void> {
    this.timers.fired();
    // Mail waiting in the outbox (a failed send, or a restart before sending) goes first.
    await this.mail.flush();
    // Every conversation has an alarm pending (idle, then retention): a registry entry that
    // could not be written before is written now.
    await this.key.registerQuietly();
    // Votes the primary could not take yet: sent again, and the next try kept armed whatever else the alarm sets.
    if (this.learning.pending()) await this.learning.flush(true);
    try {
      await this.timers.due();
    } finally {
      this.learning.rearm();
    }
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
    this.timers.closed(at);
  }

  /** Counts a customer frame of `kind` against the conversation's limit for it; the refusal, when over it. */
  private limited(kind: LimitedFrame): Refusal | null {
    // Nothing is counted, or written, for a conversation that does not exist (any more).
    if (!this.store.meta()) return null;
    const decision = this.frames.admit(kind, Date.now());
    return decision.allowed ? null : refusal(decision.retryAfterMs);
  }

  /** The conversation's region (where its replica is). */
  private region(): Region {
    const region = this.store.meta()?.region ?? "";
    return isRegion(region) ? region : this.defaultRegion;
  }
}
