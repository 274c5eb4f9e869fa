// The answer pipeline as the conversation's answerer: plan the turn within its deadline,
// word the decision (optionally by grounded generation), and say how the reply was made.
// When a dependency is slow, failing, open-circuited or over budget the customer still
// gets a useful, honest reply: degraded mode (src/answer/degraded.ts).
import type { ReplyMeta } from "../conversation/types.ts";
import { TimeoutError, withTimeout } from "../resilience/breaker.ts";
import type { AnswerCache } from "./answer-cache.ts";
import type { Answer, Answerer, AnswerRequest } from "./answerer.ts";
import { degradedMeta, degradedReply, type DegradedReason, type DegradedSources } from "./degraded.ts";
import { localeFor } from "./language.ts";
import { generateGrounded, type GenerationConfig, type GenerationFailure } from "./generation/generator.ts";
import type { LlmProvider } from "./generation/provider.ts";
import { DEFAULT_PLAN_CONFIG, planReply, replyLanguage, type KbPort, type Plan, type PlanConfig } from "./plan.ts";
import { replyText } from "./reply-text.ts";
import type { Candidate } from "../kb/retrieval.ts";
import { languageOf } from "../kb/text/tokens.ts";
import { PII_KINDS, placeholder, redact } from "../privacy/redact.ts";
import type { AnswerSettings } from "../releases/answer-settings.ts";

const PLACEHOLDER = new RegExp(PII_KINDS.map((k) => placeholder(k).replace(/[[\]]/g, "\\$&")).join("|"), "g");

export interface Generation {
  provider: LlmProvider;
  config: GenerationConfig;
  /**
   * Takes one call from the region's LLM budget; false when it is spent, `off` while
   * self-repair has switched generation off for the region (the LLM failing or its budget
   * spent: src/ops/remediation.ts).
   */
  budget(): Promise<boolean | "off">;
}

/** What one turn answers with: run-time answer settings and its release arm (src/releases). */
export interface TurnSettings {
  answers: AnswerSettings;
  release: { id: string; arm: "canary" | "stable" } | null;
}

const DEFAULT_TURN: TurnSettings = { answers: {}, release: null };

export interface PipelinePorts {
  /** The conversation's region replica. */
  kb: KbPort;
  degraded: Omit<DegradedSources, "cache">;
  cache: AnswerCache;
  /** Tells the region replica a question was answered confidently (its memory of popular questions). */
  remember(question: string, language: string, articleId: string): void;
  generation: Generation | null;
  /** Circuit breaker states, and since when the region replica's or the LLM's has been open. */
  breakers(): Record<string, "closed" | "open" | "half_open">;
  openSince(dependency: "replica" | "llm"): number | null;
  now(): number;
  /** The turn's answer settings and release arm (none: the configuration's defaults). */
  turn?(): Promise<TurnSettings>;
}

export interface PipelineConfig {
  plan: PlanConfig;
  /** Each turn's deadline, from the moment the answerer starts. */
  deadlineMs: number;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = { plan: DEFAULT_PLAN_CONFIG, deadlineMs: 2_000 };

const PROVIDER_FAILURES: Partial<Record<GenerationFailure, DegradedReason>> = { provider_error: "llm_unavailable", timeout: "llm_unavailable", rate_limited: "rate_limited" };

/** An agent's suggestions may take this many turn deadlines. */
const ASSIST_DEADLINE_FACTOR = 3;

export class AnswerPipeline implements Answerer {
  private readonly ports: PipelinePorts;
  private readonly config: PipelineConfig;

  constructor(ports: PipelinePorts, config: PipelineConfig = DEFAULT_PIPELINE_CONFIG) {
    this.ports = ports;
    this.config = config;
  }

  async answer(request: AnswerRequest, onDelta?: (text: string) => void): Promise<Answer> {
    const { now } = this.ports;
    const deadline = now() + this.config.deadlineMs;
    const text = request.message.text;
    // What leaves the conversation (the replica, the LLM, the caches, the replica's memory)
    // is redacted; the plan itself reads the customer's own words.
    const outward = redact(text).text;
    // The plan hands the replica its query and, for the exact-question match, the customer's own words: both redacted.
    const kb: KbPort = { retrieve: (query, options) => this.ports.kb.retrieve(searchable(query), options.asked === undefined ? options : { ...options, asked: searchable(options.asked) }) };
    const turn = this.ports.turn ? await this.ports.turn().catch(() => DEFAULT_TURN) : DEFAULT_TURN;
    const thresholds = turn.answers.thresholds;
    const planConfig = thresholds ? { ...this.config.plan, policy: { ...this.config.plan.policy, override: thresholds } } : this.config.plan;
    let plan: Plan;
    try {
      plan = await withTimeout(planReply(text, request.locale, request.state, kb, planConfig), this.config.deadlineMs, "turn");
    } catch (err) {
      const reason: DegradedReason = err instanceof TimeoutError ? "deadline" : "replica_unavailable";
      return withRelease(await this.degraded(request, outward, reason, deadline), turn);
    }
    this.ports.cache.sawVersion(plan.retrieval.kbVersion);
    let answer: Answer = { text: replyText(plan.decision, plan.language), meta: this.meta(plan), state: plan.state };
    if (plan.decision.type === "answer") {
      const article = plan.decision.article;
      if (this.ports.generation && turn.answers.generation !== false) answer = await this.generate(plan, article, answer, outward, deadline, onDelta, turn.answers);
      this.ports.remember(outward, plan.language, article.id);
      void this.ports.cache.put(outward, { text: answer.text, articleId: article.id, title: article.title, kbVersion: plan.retrieval.kbVersion, locale: article.locale });
    }
    return withRelease(answer, turn);
  }

  /**
   * The articles the bot would offer for a message it does not answer (an agent has the
   * conversation): for the agent to read or quote. Nothing is stored or remembered; any
   * failure or timeout gives none.
   */
  async suggest(request: AnswerRequest, limit = 3): Promise<Array<{ articleId: string; title: string; answer: string }>> {
    try {
      // An agent's suggestions are off the customer's path: they may wait longer than a turn
      // (a replica busy refitting its thresholds can take more than TURN_DEADLINE_MS).
      const plan = await withTimeout(planReply(request.message.text, request.locale, request.state, this.ports.kb, this.config.plan), ASSIST_DEADLINE_FACTOR * this.config.deadlineMs, "assist");
      return plan.retrieval.candidates.slice(0, limit).map((c) => ({ articleId: c.id, title: c.title, answer: c.answer }));
    } catch {
      return [];
    }
  }

  /** The reply's metadata; a stale copy (primary unreachable) makes it degraded. */
  private meta(plan: Plan): ReplyMeta {
    const meta = { ...replyMeta(plan), breakers: this.ports.breakers() };
    const { retrieval } = plan;
    if (!retrieval.stale) return meta;
    const since = this.ports.now() - (retrieval.lagSeconds ?? 0) * 1000;
    return degradedMeta(meta, "primary_unreachable", since, retrieval.kbVersion, retrieval.lagSeconds);
  }

  private async generate(plan: Plan, article: Candidate, extractive: Answer, question: string, deadline: number, onDelta?: (text: string) => void, settings: AnswerSettings = {}): Promise<Answer> {
    const { provider, config, budget } = this.ports.generation!;
    const asDegraded = (reason: DegradedReason, fallback: string): Answer => ({
      ...extractive,
      meta: degradedMeta({ ...extractive.meta, generation: { provider: provider.name, fallback } }, reason, this.ports.openSince("llm") ?? this.ports.now(), plan.retrieval.kbVersion, plan.retrieval.lagSeconds),
    });
    const allowed = await budget().catch(() => true);
    // Switched off by self-repair: the article, in normal mode, as a deployment without an
    // LLM answers (the reply says so). The alert can then resolve, which switches it back on.
    if (allowed === "off") return { ...extractive, meta: { ...extractive.meta, generation: { provider: provider.name, fallback: "switched_off" } } };
    if (!allowed) return asDegraded("llm_budget", "llm_budget");
    const remaining = deadline - this.ports.now();
    const timeoutMs = Math.min(config.timeoutMs, remaining);
    const outcome = await generateGrounded(provider, { question, articles: [article], language: plan.language }, { ...config, timeoutMs, model: settings.model, instructions: settings.prompt }, onDelta);
    if (outcome.ok) return { ...extractive, text: outcome.text, meta: { ...extractive.meta, answerer: "generated", generation: { provider: provider.name } } };
    const reason = PROVIDER_FAILURES[outcome.reason];
    if (reason) return asDegraded(outcome.reason === "timeout" && timeoutMs < config.timeoutMs ? "deadline" : reason, outcome.reason);
    // The provider answered but its text was not trusted: the article is the answer, as normal.
    return { ...extractive, meta: { ...extractive.meta, generation: { provider: provider.name, fallback: outcome.reason } } };
  }

  private degraded(request: AnswerRequest, question: string, reason: DegradedReason, deadline: number): Promise<Answer> {
    const language = replyLanguage(request.message.text, request.state, request.locale);
    const since = this.ports.openSince("replica") ?? this.ports.now();
    return degradedReply(
      {
        question,
        language,
        fallbackLanguage: languageOf(request.locale),
        reason,
        since,
        remainingMs: Math.max(0, deadline - this.ports.now()),
        now: this.ports.now,
      },
      { cache: this.ports.cache, ...this.ports.degraded },
      this.config.plan,
    ).then((answer) => ({ ...answer, meta: { ...answer.meta, breakers: this.ports.breakers(), locale: answer.meta.locale ?? localeFor(language) } }));
  }
}

/** The reply says which KB version answered it, and the release arm its conversation is in. */
function withRelease(answer: Answer, turn: TurnSettings): Answer {
  const kbVersion = answer.meta.kb?.version ?? answer.meta.degraded?.kbVersion ?? undefined;
  const meta = { ...answer.meta, ...(kbVersion !== undefined && kbVersion !== null && { kbVersion }), ...(turn.release && { release: turn.release }) };
  return { ...answer, meta };
}

/** A redacted query for search: the placeholders themselves are no words to look for. */
function searchable(query: string): string {
  return redact(query).text.replace(PLACEHOLDER, " ");
}

/** What a reply tells about how it was made. */
export function replyMeta(plan: Plan): ReplyMeta {
  const { decision, retrieval } = plan;
  const article = decision.type === "answer" ? decision.article : decision.type === "offer_handoff" ? decision.article : null;
  const offered = decision.type === "clarify" || decision.type === "offer_handoff" ? decision.suggestions : decision.type === "out_of_scope" ? decision.related : [];
  const meta: ReplyMeta = { mode: "normal", answerer: article ? "kb" : "policy", locale: localeFor(plan.language), decision: decision.type };
  meta.confidence = Math.round(plan.confidence * 1000) / 1000;
  meta.kb = { version: retrieval.kbVersion, lagSeconds: retrieval.lagSeconds, stale: retrieval.stale };
  if (article) meta.citations = [{ articleId: article.id, title: article.title, kbVersion: retrieval.kbVersion }];
  if (offered.length) meta.suggestions = offered.map((c) => ({ articleId: c.id, title: c.title }));
  if (decision.type === "offer_handoff") meta.handoff = { reason: decision.reason };
  return meta;
}
