// What ops learns from one conversation (docs/ops.md). After each stored reply: a turn event
// and, for a question the bot could not answer well, a redacted gap question. The outcome
// state (src/ops/outcome.ts) lives in the conversation's own storage; its conversation_end
// event goes out at the close, or once RESOLUTION_WINDOW has passed after the last answer.
// Handoff, agent reply, rating and feedback come through the methods below, for the code
// that knows of them to call. Nothing here is awaited by a turn or can fail one. A rating
// names the one it replaces, so that CSAT counts one rating per conversation.
import { understandMessage } from "../src/answer/message-kind.ts";
import type { Config } from "../src/config.ts";
import type { ObservedTurn } from "../src/conversation/turns.ts";
import type { ConversationMeta } from "../src/conversation/types.ts";
import type { Region } from "../src/edge/regions.ts";
import type { EventOrigin, EventSlice, HandoffReason, HashedId, OpsEvent, ReplacedRating } from "../src/ops/events.ts";
import { gapQuestion, gapReasonOf } from "../src/ops/gap-input.ts";
import type { GapReason } from "../src/ops/gaps.ts";
import { endDue, endFields, onAgentReply, onBotReply, onCustomerMessage, onFeedback, onHandoff, startOutcome, type Outcome } from "../src/ops/outcome.ts";
import { turnFacts } from "../src/ops/turn-facts.ts";
import { emitGapQuestion, emitOpsEvent, hashOpsId, opsEventsOn } from "../src/platform/events.ts";
import { workerVersion } from "../src/platform/version.ts";
import type { BreakerState } from "../src/resilience/breaker.ts";
import type { ErasedMarker } from "./conversation-erased.ts";

/** The stored row: the outcome, the last reply's language, the creating request's colo, the rating last sent. */
interface OpsRow {
  outcome: Outcome;
  language: string;
  colo: string;
  /** The conversation's rating as its event went out (score, time and slice): the next one replaces it. */
  rated?: ReplacedRating;
}

type Common = EventOrigin & EventSlice;

export class ConversationOps {
  private readonly ctx: DurableObjectState;
  private readonly env: Env;
  private readonly config: Config;
  private readonly meta: () => ConversationMeta | null;
  private readonly region: () => Region;
  private readonly marker: ErasedMarker;
  private row: OpsRow | null = null;
  /** The hashed ids, once computed (the values, not a promise: no request waits on another's). */
  private hashed: { conversation: HashedId | null; customer: HashedId | null } | null = null;

  constructor(ctx: DurableObjectState, env: Env, config: Config, meta: () => ConversationMeta | null, region: () => Region, marker: ErasedMarker) {
    this.ctx = ctx;
    this.env = env;
    this.config = config;
    this.meta = meta;
    this.region = region;
    this.marker = marker;
  }

  /** The conversation was created through `colo`. */
  started(colo: string | undefined): void {
    this.guard(() => this.update((r) => ({ ...r, colo: colo ?? r.colo })));
  }

  /** A turn's reply was stored: the turn event, the outcome, and a gap question if it is one. */
  turn({ message, reply, storedAt }: ObservedTurn): void {
    this.guard(() => {
      const meta = this.meta();
      if (!meta) return;
      const facts = turnFacts(reply.meta, meta.locale);
      const receivedAt = Date.parse(message.createdAt);
      const kind = understandMessage(message.text).kind;
      const row = this.update((r) => {
        const heard = onCustomerMessage(r.outcome, kind, receivedAt, this.config.ops.resolutionWindowMs);
        return { ...r, language: facts.language, outcome: onBotReply(heard, { decision: facts.decision, mode: facts.mode, kbVersion: facts.kbVersion, at: storedAt }) };
      });
      this.emit(storedAt, { mode: facts.mode, kbVersion: facts.kbVersion, language: facts.language }, (c) => ({
        ...c,
        type: "turn",
        decision: facts.decision,
        degradedReason: facts.degradedReason,
        articleId: facts.articleId,
        confidence: facts.confidenceBucket,
        latencyMs: Math.max(0, storedAt - receivedAt),
        replicaLagSeconds: facts.replicaLagSeconds,
      }), reply.meta?.breakers);
      const reason = gapReasonOf(kind, facts);
      if (reason) this.gap(message.text, row.language, reason, storedAt);
    });
  }

  /** The conversation joined the agents' queue. Call where a handoff is accepted. */
  handoff(reason: HandoffReason, at = Date.now()): void {
    this.guard(() => {
      this.update((r) => ({ ...r, outcome: onHandoff(r.outcome) }));
      this.emit(at, {}, (c) => ({ ...c, type: "handoff", reason }));
    });
  }

  /** An agent replied; `firstResponseMs` is set on the first reply after a handoff (ms since it). */
  agentReply(firstResponseMs: number | null, at = Date.now()): void {
    this.guard(() => {
      this.update((r) => ({ ...r, outcome: onAgentReply(r.outcome) }));
      this.emit(at, {}, (c) => ({ ...c, type: "agent_reply", firstResponseMs }));
    });
  }

  /** The customer rated the conversation (CSAT); a later rating replaces the earlier one in the tallies too. */
  rating(score: 1 | 2 | 3 | 4 | 5, at = Date.now()): void {
    this.guard(() => {
      const { outcome, language, rated } = this.load();
      const replaces = rated ?? null;
      // The version this object runs is the one its rating event carries (its tallies' label).
      const version = workerVersion(this.env).id || undefined;
      this.update((r) => ({ ...r, rated: { score, at, mode: outcome.mode, language, kbVersion: outcome.kbVersion, version } }));
      this.emit(at, {}, (c) => ({ ...c, type: "rating", score, replaces }));
    });
  }

  /**
   * The customer marked a reply helpful or not. `question` is the customer message that reply
   * answered: a not-helpful one goes to the gap report (redacted here).
   */
  feedback(helpful: boolean, articleId: string | null, question: string | null, at = Date.now()): void {
    this.guard(() => {
      const row = this.update((r) => ({ ...r, outcome: onFeedback(r.outcome, helpful) }));
      this.emit(at, {}, (c) => ({ ...c, type: "feedback", helpful, articleId }));
      if (!helpful && question) this.gap(question, row.language, "not_helpful", at);
    });
  }

  /** The conversation closed: its conversation_end, unless it went out already. */
  closed(at = Date.now()): void {
    this.guard(() => this.end(at));
  }

  /** On the conversation's alarm: conversation_end once RESOLUTION_WINDOW has passed after the last answer. */
  idle(now = Date.now()): void {
    this.guard(() => {
      if (endDue(this.load().outcome, now, this.config.ops.resolutionWindowMs)) this.end(now);
    });
  }

  private end(at: number): void {
    const row = this.load();
    if (row.outcome.ended) return;
    const fields = endFields(row.outcome);
    this.update((r) => ({ ...r, outcome: { ...r.outcome, ended: true } }));
    this.emit(at, {}, (c, customer) => ({ ...c, ...fields, type: "conversation_end", customer }));
  }

  /**
   * A question for the gap report, with the conversation's digest (an erasure finds its
   * examples by it) and whether it is an EU conversation; none without a digest to erase by.
   */
  private gap(text: string, language: string, reason: GapReason, at: number): void {
    const meta = this.meta();
    const question = meta && gapQuestion(text, language, reason, at);
    if (!meta || !question) return;
    const region = this.region();
    const done = this.ids(meta).then(({ conversation }) => {
      if (conversation) emitGapQuestion(this.env, this.ctx, { region, jurisdiction: meta.jurisdiction }, { ...question, conversation, eu: meta.jurisdiction === "eu" });
    });
    this.ctx.waitUntil(done.catch(() => {}));
  }

  /** Emits an event once the ids are hashed; `slice` overrides the outcome's mode, KB version, language. */
  private emit(at: number, slice: Partial<Pick<EventSlice, "mode" | "kbVersion" | "language">>, build: (common: Common, customer: HashedId | null) => OpsEvent, breakers?: Record<string, BreakerState>): void {
    const meta = this.meta();
    if (!meta) return;
    const row = this.load();
    const done = this.ids(meta).then(({ conversation, customer }) => {
      if (!conversation) return;
      const common: Common = { at, region: this.region(), colo: row.colo, jurisdiction: meta.jurisdiction, conversation, language: row.language, mode: row.outcome.mode, kbVersion: row.outcome.kbVersion, ...slice };
      emitOpsEvent(this.env, this.ctx, build(common, customer), breakers);
    });
    this.ctx.waitUntil(done.catch(() => {}));
  }

  private async ids(meta: ConversationMeta): Promise<{ conversation: HashedId | null; customer: HashedId | null }> {
    if (this.hashed) return this.hashed;
    const [conversation, customer] = await Promise.all([hashOpsId(this.config, "conversation", meta.id), meta.customer?.id ? hashOpsId(this.config, "customer", meta.customer.id) : null]);
    return (this.hashed = { conversation, customer });
  }

  /** The stored row (read once per object lifetime). */
  private load(): OpsRow {
    if (!this.row) {
      const saved = this.ctx.storage.sql.exec<{ state: string }>("SELECT state FROM ops_outcome WHERE id = 1").toArray()[0];
      const meta = this.meta();
      const fresh: OpsRow = { outcome: startOutcome(meta ? Date.parse(meta.createdAt) : Date.now()), language: (meta?.locale ?? "en").split("-")[0]!.toLowerCase(), colo: "unknown" };
      this.row = saved ? { ...fresh, ...(JSON.parse(saved.state) as Partial<OpsRow>) } : fresh;
    }
    return this.row;
  }

  /** The conversation was erased: what was kept in memory goes with it. */
  forget(): void {
    this.row = null;
    this.hashed = null;
  }

  /** Changes and stores the row; synchronous, so it commits with the reply it follows. */
  private update(change: (row: OpsRow) => OpsRow): OpsRow {
    this.marker.check();
    const next = change(this.load());
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO ops_outcome (id, state) VALUES (1, ?)", JSON.stringify(next));
    this.row = next;
    return next;
  }

  /** Runs ops work when events are on; an error is logged by code and goes no further. */
  private guard(work: () => void): void {
    if (!opsEventsOn(this.config)) return;
    try {
      work();
    } catch (err) {
      console.warn(JSON.stringify({ level: "warn", code: "ops_observe_failed", kind: err instanceof Error ? err.name : typeof err }));
    }
  }
}
