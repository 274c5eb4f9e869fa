// The one place ops events leave a Worker or a Durable Object: each gets a random id and the
// running version (the emitting Worker's or Durable Object's own), is written to Workers Analytics Engine (EVENTS, when bound) at once, and queued for its
// region's RegionOpsDO, which receives them in batches per isolate (src/ops/event-batch.ts),
// sent by whichever request's timer comes first, under that request's `ctx.waitUntil`. A
// failed send is tried twice more; the RegionOpsDO counts each id once, so a batch that did
// arrive the first time is not counted again. Emitting is never awaited, never throws and
// never fails a turn: errors are logged by code only. OPS_EVENTS=off emits nothing (and, in
// development only, a switch for the benchmark overrides it).
import { readConfig, type Config } from "../config.ts";
import type { Region } from "../edge/regions.ts";
import { EventBatcher, type BatchPart, type OpsBatch } from "../ops/event-batch.ts";
import { hashId, opsIdKey, type IdKind } from "../ops/event-ids.ts";
import type { HashedId, OpsEvent } from "../ops/events.ts";
import type { GapQuestion } from "../ops/gaps.ts";
import { toAnalyticsPoint } from "../ops/analytics.ts";
import { mayKeepQuestionText } from "../ops/residency.ts";
import { withTimeout, type BreakerState } from "../resilience/breaker.ts";
import { READ_TIMEOUT_MS, regionOps } from "./region-ops.ts";
import { workerVersion } from "./version.ts";

/** What emitting needs of a request or Durable Object context. */
export interface Waiter {
  waitUntil(promise: Promise<unknown>): void;
}

const LOG_EVERY_MS = 10_000;
const lastLogged = new Map<string, number>();

/** Logs a failure by code and error class only, at most once per code every 10 s. */
function logFailure(code: string, err: unknown): void {
  const now = Date.now();
  if (now - (lastLogged.get(code) ?? 0) < LOG_EVERY_MS) return;
  lastLogged.set(code, now);
  console.warn(JSON.stringify({ level: "warn", code, kind: err instanceof Error ? err.name : typeof err }));
}

const batcher = new EventBatcher();

/** Pauses before a failed send is tried again (a DO being reset or overloaded answers soon after). */
const RETRY_DELAYS_MS = [500, 2_000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one region's batch, trying again after a failure (a fresh stub each time); never rejects. */
async function deliver(env: Env, config: Config, region: Region, batch: OpsBatch): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await regionOps(env, region, config.jurisdictions).ingest(region, batch);
      return;
    } catch (err) {
      const pause = RETRY_DELAYS_MS[attempt];
      if (pause === undefined) return logFailure("ops_events_undelivered", err);
      await sleep(pause);
    }
  }
}

/** Sends batches from the calling request, each region's on its own; never rejects. */
function send(env: Env, config: Config, batches: Array<[string, OpsBatch]>): Promise<void> {
  return Promise.all(batches.map(([destination, batch]) => deliver(env, config, destination as Region, batch))).then(() => undefined);
}

/** Queues a part; the request that must send (now, on its own timer, or as a watcher) waits for it under waitUntil. */
function queue(env: Env, config: Config, ctx: Waiter, destination: Region, part: BatchPart): void {
  const decision = batcher.add(destination, part, Date.now());
  if (decision.action === "send") ctx.waitUntil(send(env, config, batcher.take()));
  else if (decision.action === "schedule") ctx.waitUntil(sleep(decision.delayMs).then(() => send(env, config, batcher.take())));
  else ctx.waitUntil(sleep(decision.afterMs).then(() => send(env, config, batcher.takeIfStale(Date.now()))));
}

/** A fresh event or question id: 128 random bits, hex. */
function newId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

let devSwitch: boolean | null = null;

/** Whether events are emitted: OPS_EVENTS, unless the development switch says otherwise. */
export function opsEventsOn(config: Config): boolean {
  return (config.devMode ? devSwitch : null) ?? config.ops.events;
}

/** The development switch (the benchmark's events off/on); null goes back to OPS_EVENTS. No effect without HOLDFAST_DEV. */
export function setOpsEventsForDev(config: Config, on: boolean | null): boolean {
  if (config.devMode) devSwitch = on;
  return opsEventsOn(config);
}

/** The event with the running version, unless it names one already (set where it is emitted). */
function stamped<E extends OpsEvent>(env: Env, event: E): E {
  if (event.version !== undefined) return event;
  const { id } = workerVersion(env);
  return id ? { ...event, version: id } : event;
}

/** Writes one event to Analytics Engine, if the dataset is bound. Never throws. */
export function writeAnalytics(env: Env, event: OpsEvent): void {
  try {
    env.EVENTS?.writeDataPoint(toAnalyticsPoint(stamped(env, event)));
  } catch (err) {
    logFailure("ops_analytics_failed", err);
  }
}

/**
 * Emits an event: Analytics Engine now, the region's RegionOpsDO with the next batch.
 * `breakers` are the emitting isolate's circuit breakers (from a reply's metadata), for
 * /metrics. For the events other code raises (handoff, agent_reply, rating, feedback).
 */
export function emitOpsEvent(env: Env, ctx: Waiter, event: OpsEvent, breakers?: Record<string, BreakerState>): void {
  try {
    const config = readConfig(env);
    if (!opsEventsOn(config)) return;
    const versioned = stamped(env, event);
    writeAnalytics(env, versioned);
    if (breakers) queue(env, config, ctx, event.region, { breakers });
    queue(env, config, ctx, event.region, { event: { ...versioned, id: event.id ?? newId() } });
  } catch (err) {
    logFailure("ops_emit_failed", err);
  }
}

/**
 * Queues a question for the KB gap report of the conversation's region. The text must be
 * redacted already (src/ops/gap-input.ts); an EU conversation's question is dropped unless
 * its region's RegionOpsDO is in the EU jurisdiction.
 */
export function emitGapQuestion(env: Env, ctx: Waiter, place: { region: Region; jurisdiction: "eu" | null }, question: GapQuestion): void {
  try {
    const config = readConfig(env);
    if (!opsEventsOn(config) || !mayKeepQuestionText(place.region, place.jurisdiction)) return;
    queue(env, config, ctx, place.region, { gap: { ...question, id: question.id ?? newId() } });
  } catch (err) {
    logFailure("ops_emit_failed", err);
  }
}

/** Pauses before an erasure's call to the RegionOpsDO is tried again. */
const FORGET_RETRY_MS = [500, 2_000];

/**
 * Erasure: the region's RegionOpsDO drops the gap examples of the conversation (found by
 * its keyed digest). Tried three times; a failure is logged by code (the examples then go
 * with their gap, at most 7 days after it was last seen). Never throws.
 */
export async function forgetGapExamples(env: Env, config: Config, region: Region, conversationId: string): Promise<void> {
  const digest = await hashOpsId(config, "conversation", conversationId);
  if (!digest) return;
  for (let attempt = 0; ; attempt++) {
    try {
      await withTimeout(regionOps(env, region, config.jurisdictions).forgetConversation(region, digest), READ_TIMEOUT_MS, "region ops");
      return;
    } catch (err) {
      const pause = FORGET_RETRY_MS[attempt];
      if (pause === undefined) return console.error(JSON.stringify({ level: "error", code: "gap_forget_failed", region, kind: (err as Error)?.name }));
      await sleep(pause);
    }
  }
}

/** The hashed form of an id for events, or null when TOKEN_SECRET (the key's source) is missing. */
export async function hashOpsId(config: Config, kind: IdKind, id: string): Promise<HashedId | null> {
  if (config.tokenSecret.length < 16) return null;
  return hashId(await opsIdKey(config.tokenSecret), kind, id);
}

/** The Cloudflare colo a request came through (`unknown` where there is none, e.g. locally). */
export function requestColo(request: Request): string {
  const colo = (request as Request & { cf?: { colo?: unknown } }).cf?.colo;
  return typeof colo === "string" && /^[A-Z]{3,4}$/.test(colo) ? colo : "unknown";
}
