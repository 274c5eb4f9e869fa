// A tally: the counters and histograms of one label set (mode, language, KB version, Worker
// version) in one time bucket. What each event adds to a tally is decided here, once, for the per-minute
// and hourly rollups alike.
import type { DegradedReason } from "../answer/degraded.ts";
import type { EventOrigin, EventSlice, HandoffReason, Mode, OpsEvent, Resolution, TurnDecision } from "./events.ts";
import { resolutionOf } from "./events.ts";
import { UNKNOWN_VERSION, versionLabel } from "./version.ts";
import { emptyHistogram, histogramFromJSON, histogramToJSON, mergeHistogram, observe, type Histogram, type HistogramName, HISTOGRAM_NAMES } from "./histogram.ts";

/**
 * Counter names; a `:` separates a counter from its sub-key.
 * - `turns`, `turn:<decision>`, `degraded_turns`, `degraded:<reason>` — from turn events;
 * - `handoffs`, `handoff:<reason>` — handoff events;
 * - `agent_replies`, `agent_first_responses`, `sla_breaches` — agent replies and the queue;
 * - `ratings`, `rating:<1..5>`, `rating_sum` — CSAT, one rating per conversation (a later
 *   rating is taken out where the one it replaces was counted); `rating_replaced:<1..5>` —
 *   in the cumulative totals only, which never go down: ratings replaced by a later one;
 * - `helpful`, `not_helpful` — feedback;
 * - `conversations` (ended with ≥ 1 turn), `resolution:<r>`, `handed_off_conversations`,
 *   `recontacts` (a customer back within the recontact window after a resolved conversation).
 */
export type CounterName =
  | "turns"
  | `turn:${TurnDecision}`
  | "degraded_turns"
  | `degraded:${DegradedReason}`
  | "handoffs"
  | `handoff:${HandoffReason}`
  | "agent_replies"
  | "agent_first_responses"
  | "sla_breaches"
  | "ratings"
  | `rating:${1 | 2 | 3 | 4 | 5}`
  | "rating_sum"
  | `rating_replaced:${1 | 2 | 3 | 4 | 5}`
  | "helpful"
  | "not_helpful"
  | "conversations"
  | `resolution:${Resolution}`
  | "handed_off_conversations"
  | "recontacts";

export interface Tally {
  counters: Partial<Record<CounterName, number>>;
  histograms: Partial<Record<HistogramName, Histogram>>;
}

/** The dimensions a tally is kept per; `other` collects what did not fit. */
export interface Labels {
  mode: Mode | "other";
  language: string;
  kbVersion: string;
  /** The Worker version id that emitted the events (`unknown` when they named none). */
  version: string;
}

export const OTHER_KEY = "other|other|other|other";

const LANGUAGE = /^[a-z]{2,3}$/;

/** The label set of an event's slice; odd languages become `other`, odd versions `unknown` (bounded, never text). */
export function labelsOf(slice: Pick<EventSlice, "mode" | "language" | "kbVersion"> & Pick<EventOrigin, "version">): Labels {
  const language = LANGUAGE.test(slice.language) ? slice.language : "other";
  const kbVersion = slice.kbVersion === null || !Number.isSafeInteger(slice.kbVersion) ? "none" : String(slice.kbVersion);
  return { mode: slice.mode === "degraded" ? "degraded" : "normal", language, kbVersion, version: versionLabel(slice.version) };
}

export function labelKey(l: Labels): string {
  return `${l.mode}|${l.language}|${l.kbVersion}|${l.version}`;
}

/** A label key's labels; keys saved before the version was a label (three parts) are version `unknown`. */
export function parseLabelKey(key: string): Labels {
  const [mode = "other", language = "other", kbVersion = "other", version = UNKNOWN_VERSION] = key.split("|");
  return { mode: mode === "normal" || mode === "degraded" ? mode : "other", language, kbVersion, version };
}

export function emptyTally(): Tally {
  return { counters: {}, histograms: {} };
}

export function add(t: Tally, name: CounterName, n = 1): void {
  t.counters[name] = (t.counters[name] ?? 0) + n;
}

export function count(t: Tally, name: CounterName): number {
  return t.counters[name] ?? 0;
}

export function observeIn(t: Tally, name: HistogramName, seconds: number): void {
  observe((t.histograms[name] ??= emptyHistogram(name)), name, seconds);
}

export function mergeTally(target: Tally, source: Tally): void {
  for (const [name, n] of Object.entries(source.counters) as Array<[CounterName, number]>) add(target, name, n);
  for (const name of HISTOGRAM_NAMES) {
    const h = source.histograms[name];
    if (h) mergeHistogram((target.histograms[name] ??= emptyHistogram(name)), h);
  }
}

/** Adds what an event says to a tally (the queue's SLA breaches and recontacts are added by the rollup). */
export function tallyEvent(t: Tally, e: Exclude<OpsEvent, { type: "degraded_change" | "transcript_read" }>): void {
  switch (e.type) {
    case "turn":
      add(t, "turns");
      add(t, `turn:${e.decision}`);
      if (e.mode === "degraded") {
        add(t, "degraded_turns");
        if (e.degradedReason) add(t, `degraded:${e.degradedReason}`);
      }
      observeIn(t, "turn_seconds", e.latencyMs / 1000);
      return;
    case "handoff":
      add(t, "handoffs");
      add(t, `handoff:${e.reason}`);
      return;
    case "agent_reply":
      add(t, "agent_replies");
      if (e.firstResponseMs !== null) {
        add(t, "agent_first_responses");
        observeIn(t, "agent_first_response_seconds", e.firstResponseMs / 1000);
      }
      return;
    case "rating":
      add(t, "ratings");
      add(t, `rating:${e.score}`);
      add(t, "rating_sum", e.score);
      return;
    case "feedback":
      add(t, e.helpful ? "helpful" : "not_helpful");
      return;
    case "conversation_end":
      if (e.turns < 1) return;
      add(t, "conversations");
      add(t, `resolution:${resolutionOf(e)}`);
      if (e.handedOff) add(t, "handed_off_conversations");
      return;
  }
}

/** Takes one rating of `score` back out of a tally (its conversation rated again); false when the tally holds none. */
export function untallyRating(t: Tally, score: 1 | 2 | 3 | 4 | 5): boolean {
  if (count(t, `rating:${score}`) < 1) return false;
  add(t, "ratings", -1);
  add(t, `rating:${score}`, -1);
  add(t, "rating_sum", -score);
  return true;
}

/** Compact JSON: `[counters, {histogram: [sum, ...counts]}]`. */
export type TallyJSON = [Partial<Record<CounterName, number>>, Partial<Record<HistogramName, number[]>>];

export function tallyToJSON(t: Tally): TallyJSON {
  const hist: Partial<Record<HistogramName, number[]>> = {};
  for (const name of HISTOGRAM_NAMES) {
    const h = t.histograms[name];
    if (h) hist[name] = histogramToJSON(h);
  }
  return [{ ...t.counters }, hist];
}

export function tallyFromJSON(json: TallyJSON): Tally {
  const t = emptyTally();
  for (const [name, n] of Object.entries(json[0] ?? {}) as Array<[CounterName, number]>) if (Number.isFinite(n) && n > 0) t.counters[name] = n;
  for (const name of HISTOGRAM_NAMES) {
    const h = json[1]?.[name];
    if (Array.isArray(h)) t.histograms[name] = histogramFromJSON(name, h);
  }
  return t;
}

/** The larger of two tallies of the same monotonic totals, counter by counter and bucket by bucket. */
export function maxTally(a: Tally, b: Tally): Tally {
  const out = emptyTally();
  for (const name of new Set([...Object.keys(a.counters), ...Object.keys(b.counters)]) as Set<CounterName>) out.counters[name] = Math.max(count(a, name), count(b, name));
  for (const name of HISTOGRAM_NAMES) {
    const x = a.histograms[name];
    const y = b.histograms[name];
    if (!x || !y) {
      const only = x ?? y;
      if (only) out.histograms[name] = { counts: [...only.counts], sum: only.sum };
      continue;
    }
    out.histograms[name] = { counts: x.counts.map((c, i) => Math.max(c, y.counts[i] ?? 0)), sum: Math.max(x.sum, y.sum) };
  }
  return out;
}
