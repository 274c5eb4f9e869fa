// What ConversationDO's answer pipeline talks to, wired to the platform: the conversation's
// replica shard, a sibling shard and the neighbouring region's replica behind circuit
// breakers, the colo's Cache API, the optional LLM provider behind a breaker and the
// region's LLM budget, the optional embeddings of a question and reranking of its best
// articles behind breakers, and — in development only — the fault switches.
import { AnswerCache } from "../answer/answer-cache.ts";
import { cacheApiStore } from "./answer-cache-store.ts";
import type { LlmProvider } from "../answer/generation/provider.ts";
import { ProviderError } from "../answer/generation/provider.ts";
import { llmProvider } from "./llm/providers.ts";
import { embeddingsProvider, queryEmbedding } from "./embeddings/providers.ts";
import { queryRerank, rerankerProvider } from "./reranker/providers.ts";
import { applyRerank } from "../kb/semantic/rerank-apply.ts";
import type { PipelinePorts } from "../answer/pipeline.ts";
import type { Config } from "../config.ts";
import { limiterFor, llmBudgetKey } from "./limiter.ts";
import { NEIGHBOUR } from "../edge/region.ts";
import type { Region } from "../edge/regions.ts";
import { MemoryNotes } from "../kb/memory-notes.ts";
import { redact } from "../privacy/redact.ts";
import { RetrievalCache, retrievalKey } from "../kb/retrieval-cache.ts";
import type { Retrieval, RetrievalOptions } from "../kb/retrieval.ts";
import { replicaFor, replicaName, siblingOf, type ReplicaAddress } from "../kb/shards.ts";
import { replicaOf, type ReplicaStub } from "./replicas.ts";
import { isolateBreakers, withTimeout, type Breakers } from "../resilience/breaker.ts";
import { currentFaults } from "../resilience/faults.ts";
import type { Track } from "../releases/view.ts";

/** Waits, giving up early (rejecting) when the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new ProviderError("timeout", "aborted"));
    }, { once: true });
  });
}

/** The provider behind the "llm" breaker and the LLM faults. */
function guardedProvider(provider: LlmProvider, breakers: Breakers, faults: () => ReturnType<typeof currentFaults>): LlmProvider {
  return {
    name: provider.name,
    async *stream(request) {
      const breaker = breakers.get("llm");
      breaker.begin();
      try {
        const f = faults();
        if (f.llmDown) throw new ProviderError("unreachable", "fault llm-down");
        if (f.llmSlow) await sleep(30_000, request.signal);
        yield* provider.stream(request);
        breaker.succeeded();
      } catch (err) {
        breaker.failed();
        throw err;
      }
    },
  };
}

/** Less time than this left for the reranker: the turn goes on without it. */
const MIN_RERANK_MS = 50;

/** Repeated questions are planned from a recent retrieval (src/kb/retrieval-cache.ts). */
const retrievals = new RetrievalCache({ ttlMs: 10_000, maxEntries: 2_000 });
/** Answered questions for the replicas' memories, sent in batches. */
const notes = new MemoryNotes({ maxNotes: 20, maxAgeMs: 5_000 });

/** What the ports need to know about their conversation (read on every call: it learns them when created). */
export interface PortsConversation {
  region(): Region;
  /** Derived data of EU conversations stays in the EU or is not kept: here, not kept. */
  jurisdiction(): "eu" | null;
  /** Stable per conversation: picks its replica shard. */
  key(): string;
  /** Its own share of the region's LLM budget (GCRA state kept by the conversation). */
  llmShare(at: number): boolean;
  /** What it answers with now: a release's candidate while it is in that release's canary, else stable. */
  track?(): Promise<Track>;
}

const STABLE: Track = { kbRelease: null, kbVersion: null, settings: {}, release: null };

/** The ports of one conversation's pipeline. */
export function pipelinePorts(env: Env, config: Config, ctx: DurableObjectState, conversation: PortsConversation): PipelinePorts {
  const region = () => conversation.region();
  const conversationKey = () => conversation.key();
  const breakers = isolateBreakers({ failures: config.resilience.breakerFailures, coolDownMs: config.resilience.breakerCoolDownMs });
  const faults = () => currentFaults(config.devMode, config.faultsAtStart);
  // Longer than the turn's deadline: the deadline decides first, the breaker still learns.
  const replicaTimeoutMs = config.resilience.deadlineMs + 500;
  // The track of the turn under way (read at its start): a canary conversation of an open KB
  // release asks its region's candidate replica, and keeps its cached answers and the
  // replica's memory apart from stable's.
  let current: Track = STABLE;
  const track = async () => (current = conversation.track ? await conversation.track().catch(() => STABLE) : STABLE);
  const own = (): ReplicaAddress => (current.kbRelease ? { region: region(), shard: 0, release: current.kbRelease } : replicaFor(region(), conversationKey(), config.replicaShards(region())));
  const breakerOf = (a: ReplicaAddress) => (a.release ? `replica:${replicaName(a)}` : `replica:${a.region}${a.shard ? `:${a.shard}` : ""}`);
  const replica = <T>(address: ReplicaAddress, call: (stub: ReplicaStub) => Promise<T>): Promise<T> =>
    breakers.get(breakerOf(address)).run(async () => {
      const f = faults();
      if (f.latencyMs) await sleep(f.latencyMs);
      // The drill's replica-down takes the conversation's own region down, every shard of it.
      if (f.replicaDown && address.region === region()) throw new Error("fault replica-down");
      if (f.replicaShardDown === address.shard && address.region === region()) throw new Error("fault replica-shard-down");
      return call(replicaOf(env, address));
    }, replicaTimeoutMs);
  const provider = llmProvider(env, config.llm);
  const embedder = embeddingsProvider(env, config.embeddings);
  // Within the turn's deadline: the lexical retrieval after it keeps at least half of it.
  const embedTimeoutMs = Math.min(config.embeddings.timeoutMs, Math.floor(config.resilience.deadlineMs / 2));
  const embed = embedder ? queryEmbedding(embedder, breakers, embedTimeoutMs) : null;
  const reranker = rerankerProvider(env, config.reranker);
  const rerankQuery = reranker ? queryRerank(reranker, breakers) : null;
  // The reranker gets what is left of the first three quarters of the turn's deadline (the
  // rest is the answer's), at most RERANKER_TIMEOUT_MS; with less than MIN_RERANK_MS left it is not asked.
  const reranked = async (query: string, found: Retrieval, started: number): Promise<Retrieval> => {
    const request = found.rerank;
    if (!request || !rerankQuery || request.tuning.space !== reranker!.space) return applyRerank(found);
    const leftMs = Math.min(config.reranker.timeoutMs, Math.floor(config.resilience.deadlineMs * 0.75) - (Date.now() - started));
    return applyRerank(found, leftMs >= MIN_RERANK_MS ? await rerankQuery(query, request.passages, leftMs) : undefined);
  };
  /** `semantic`: the conversation's own replica gets the question's vector and its reranking when they come in time (degraded paths stay lexical: they are short of time). */
  const retrieve = async (address: ReplicaAddress, query: string, options: RetrievalOptions, semantic = false): Promise<Retrieval> => {
    const started = Date.now();
    const name = replicaName(address);
    const key = retrievalKey(name, query, options);
    // Only a healthy replica's answers are reused: a failing one must show as degraded.
    const f = faults();
    const healthy = breakers.get(breakerOf(address)).state === "closed" && !f.replicaDown && f.replicaShardDown === null && !f.latencyMs;
    const cached = healthy ? retrievals.get(name, key, Date.now()) : null;
    if (cached) return cached;
    const vector = semantic && embed ? await embed(query) : undefined;
    const found = await replica(address, (s) => s.retrieve(query, vector ? { ...options, vector } : options, notes.take(name)));
    const retrieval = semantic ? await reranked(query, found, started) : applyRerank(found);
    retrievals.put(name, key, retrieval, Date.now());
    return retrieval;
  };
  return {
    kb: {
      retrieve: async (query, options) => {
        const t = await track();
        const retrieval = await retrieve(own(), query, options, true);
        // The candidate replica answers with the release's candidate version (meta.kbVersion, the cache key).
        return t.kbRelease && t.kbVersion !== null ? { ...retrieval, kbVersion: t.kbVersion } : retrieval;
      },
    },
    turn: async () => {
      const t = await track();
      return { answers: t.settings, release: t.release };
    },
    degraded: {
      memory: (question, language) => replica(own(), (s) => s.recall(question, language)),
      sibling: (question, options) => {
        const sibling = siblingOf(own(), config.replicaShards(region()));
        return sibling ? retrieve(sibling, question, options) : Promise.reject(new Error("no sibling shard"));
      },
      neighbour: (question, options) => retrieve({ region: NEIGHBOUR[region()], shard: 0 }, question, options),
    },
    cache: new AnswerCache(cacheApiStore, () => (current.kbRelease ? replicaName(own()) : region()), () => conversation.jurisdiction() !== "eu"),
    remember: (question, language, articleId) => {
      if (conversation.jurisdiction() === "eu") return;
      const address = own();
      const due = notes.add(replicaName(address), { question, language, articleId }, Date.now());
      if (due) ctx.waitUntil(replica(address, (s) => s.remember(due)).catch(() => {}));
    },
    generation: provider && {
      provider: guardedProvider(provider, breakers, faults),
      config: { maxTokens: config.llm.maxTokens, timeoutMs: config.llm.timeoutMs },
      // The conversation's share first, then the region's budget (and self-repair's switch,
      // kept beside it); a limiter that cannot answer in time counts as "spent" (fails
      // closed: no generation, the article itself).
      budget: async () => {
        if (faults().regionOverBudget || !conversation.llmShare(Date.now())) return false;
        const key = llmBudgetKey(region());
        const decision = limiterFor(env, region(), key, config.limits.shards).llmBudget(key, config.limits.llmBudget, Date.now());
        return withTimeout(decision, config.limits.timeoutMs, "llm budget").then((d) => (d === "off" ? "off" : d === "ok"), () => false);
      },
    },
    breakers: () => breakers.states(),
    openSince: (dependency) => breakers.get(dependency === "replica" ? breakerOf(own()) : "llm").since,
    now: Date.now,
  };
}

/**
 * Forgets what a conversation's questions left outside it (an erasure): the replica's
 * memory of them, and the colo's cached answers keyed by them. Cached answers elsewhere
 * hold only KB text under a digest and expire within a day (answer-cache-store.ts).
 */
export async function forgetDerived(env: Env, config: Config, region: Region, conversationKey: string, locale: string, questions: string[]): Promise<void> {
  if (!questions.length) return;
  const outward = questions.map((q) => redact(q).text);
  const address = replicaFor(region, conversationKey, config.replicaShards(region));
  notes.take(replicaName(address));
  const cache = new AnswerCache(cacheApiStore, () => region);
  await Promise.allSettled([withTimeout(replicaOf(env, address).forget(outward), config.resilience.deadlineMs, "replica"), ...outward.map((q) => cache.forget(q, locale))]);
}
