// The KB gap report: questions the bot could not answer, answered with low confidence, or
// that were marked not helpful, clustered per language into gaps (online leader clustering:
// cosine of a question's tokens against each gap's token profile). Text arrives redacted;
// bracketed placeholders such as [email] are ignored. Memory is bounded: capped gaps (the
// least recently seen are evicted), examples, profile tokens and text lengths. Redaction
// leaves names and street addresses, so each example keeps where it came from: the keyed
// digest of its conversation (an erasure removes it) and whether that conversation is in
// the EU jurisdiction (its words never go into a draft, which lives in the KB primary).
import type { ArticleInput } from "../kb/article.ts";
import { SLUG } from "../kb/article.ts";
import { queryTokens } from "../kb/text/tokens.ts";
import { localeFor } from "../answer/language.ts";

export type GapReason = "no_answer" | "low_confidence" | "not_helpful";
export const GAP_REASONS: readonly GapReason[] = ["no_answer", "low_confidence", "not_helpful"];

export interface GapQuestion {
  /** Random, set where the question is emitted: a batch sent again adds it once. */
  id?: string;
  language: string;
  /** The question, already redacted. */
  text: string;
  reason: GapReason;
  at: number;
  /** The keyed digest of the conversation it came from (HashedId), by which an erasure finds it. */
  conversation?: string;
  /** It came from a conversation in the EU jurisdiction. */
  eu?: boolean;
}

export interface Gap {
  /** `gap_<language>_<hash of the first question's tokens>`: stable for the gap's life. */
  id: string;
  language: string;
  count: number;
  /** Distinct example questions, first seen first. */
  examples: string[];
  /** The examples a draft may carry: those not from an EU conversation. */
  draftable: string[];
  /** The example most like the gap as a whole (a title for its article). */
  representative: string;
  reasons: Record<GapReason, number>;
  firstSeen: number;
  lastSeen: number;
}

export interface GapOptions {
  /** Cosine similarity at which a question joins a gap. */
  threshold: number;
  maxGaps: number;
  maxExamples: number;
  /** Tokens kept in a gap's profile (the most frequent). */
  maxProfile: number;
  maxTextLength: number;
  /** Gaps not seen for this long are dropped by prune(). */
  retentionMs: number;
}

export const DEFAULT_GAPS: GapOptions = { threshold: 0.45, maxGaps: 500, maxExamples: 5, maxProfile: 64, maxTextLength: 300, retentionMs: 7 * 24 * 3_600_000 };

/** An example and where it came from (`c`: the conversation's digest, null when unknown). */
export interface GapSample {
  text: string;
  c: string | null;
  eu: boolean;
  reason: GapReason;
}

interface Cluster extends Omit<Gap, "examples" | "draftable" | "representative"> {
  samples: GapSample[];
  /** Token → how many of the gap's questions had it. */
  profile: Map<string, number>;
}

export type GapsJSON = Array<Gap & { profile: Array<[string, number]>; samples: GapSample[] }>;

// A placeholder holds no opening bracket of its own kind, so a run of openers is not read
// 40 characters ahead from each one.
const PLACEHOLDER = /\[[^[\]\n]{1,40}\]|<[^<>\n]{1,40}>|\{[^{}\n]{1,40}\}/g;
const LANGUAGE = /^[a-z]{2,3}$/;

/** FNV-1a over UTF-16 units with two offsets: 16 hex digits, stable across runtimes. */
function stableHash(text: string): string {
  const run = (offset: number) => {
    let h = offset;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, "0");
  };
  return run(0x811c9dc5) + run(0x050c5d1f);
}

/** The tokens a question is clustered by. */
export function gapTokens(text: string): string[] {
  return queryTokens(text.replace(PLACEHOLDER, " "), 32);
}

function cosine(tokens: readonly string[], profile: Map<string, number>): number {
  let dot = 0;
  let norm = 0;
  for (const c of profile.values()) norm += c * c;
  for (const t of tokens) dot += profile.get(t) ?? 0;
  return norm > 0 && tokens.length > 0 ? dot / (Math.sqrt(norm) * Math.sqrt(tokens.length)) : 0;
}

const normalizeExample = (text: string) => text.toLowerCase().replace(/[\s\p{P}]+/gu, " ").trim();

export class GapClusters {
  private readonly options: GapOptions;
  private readonly clusters = new Map<string, Cluster>();

  constructor(options: Partial<GapOptions> = {}) {
    this.options = { ...DEFAULT_GAPS, ...options };
  }

  /** Adds a question to its gap (a new gap if none is similar enough); the gap's id, or null if it has no usable tokens. */
  add(q: GapQuestion): string | null {
    const language = LANGUAGE.test(q.language) ? q.language : "other";
    const text = q.text.trim().slice(0, this.options.maxTextLength);
    const tokens = gapTokens(text);
    if (tokens.length === 0) return null;
    let best: Cluster | null = null;
    let bestScore = this.options.threshold;
    for (const c of this.clusters.values()) {
      if (c.language !== language) continue;
      const score = cosine(tokens, c.profile);
      if (score >= bestScore) [best, bestScore] = [c, score];
    }
    const cluster = best ?? this.create(language, tokens, q.at);
    cluster.count++;
    cluster.reasons[q.reason] = (cluster.reasons[q.reason] ?? 0) + 1;
    cluster.lastSeen = Math.max(cluster.lastSeen, q.at);
    cluster.firstSeen = Math.min(cluster.firstSeen, q.at);
    for (const t of tokens) cluster.profile.set(t, (cluster.profile.get(t) ?? 0) + 1);
    this.trimProfile(cluster);
    if (cluster.samples.length < this.options.maxExamples && !cluster.samples.some((e) => normalizeExample(e.text) === normalizeExample(text))) {
      cluster.samples.push({ text, c: q.conversation ?? null, eu: q.eu === true, reason: q.reason });
    }
    // Most recently seen last, so eviction takes the least recently seen.
    this.clusters.delete(cluster.id);
    this.clusters.set(cluster.id, cluster);
    while (this.clusters.size > this.options.maxGaps) this.clusters.delete(this.clusters.keys().next().value!);
    return cluster.id;
  }

  /** Gaps, largest first (then most recent), optionally of one language or seen since a time. */
  report(filter: { language?: string; since?: number; limit?: number } = {}): Gap[] {
    return [...this.clusters.values()]
      .filter((c) => (filter.language === undefined || c.language === filter.language) && (filter.since === undefined || c.lastSeen >= filter.since))
      .sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen || a.id.localeCompare(b.id))
      .slice(0, filter.limit ?? 50)
      .map(publicGap);
  }

  has(id: string): boolean {
    return this.clusters.has(id);
  }

  get(id: string): Gap | null {
    const c = this.clusters.get(id);
    return c ? publicGap(c) : null;
  }

  /** Drops a gap (an article now answers it); false when there was none. */
  remove(id: string): boolean {
    return this.clusters.delete(id);
  }

  /**
   * Erasure: removes the examples of the conversation with digest `c`, with their share of
   * the gap's count and token profile; a gap left without examples goes. Returns the ids of
   * the gaps changed and of those gone.
   */
  forget(c: string): { changed: string[]; removed: string[] } {
    const out = { changed: [] as string[], removed: [] as string[] };
    for (const [id, cluster] of this.clusters) {
      const gone = cluster.samples.filter((e) => e.c === c);
      if (!gone.length) continue;
      cluster.samples = cluster.samples.filter((e) => e.c !== c);
      if (!cluster.samples.length) {
        this.clusters.delete(id);
        out.removed.push(id);
        continue;
      }
      for (const e of gone) {
        cluster.count = Math.max(0, cluster.count - 1);
        cluster.reasons[e.reason] = Math.max(0, (cluster.reasons[e.reason] ?? 0) - 1);
        for (const t of gapTokens(e.text)) {
          const n = (cluster.profile.get(t) ?? 0) - 1;
          if (n > 0) cluster.profile.set(t, n);
          else cluster.profile.delete(t);
        }
      }
      out.changed.push(id);
    }
    return out;
  }

  /** Drops gaps not seen within the retention. */
  prune(now: number): void {
    for (const [id, c] of this.clusters) if (now - c.lastSeen > this.options.retentionMs) this.clusters.delete(id);
  }

  get size(): number {
    return this.clusters.size;
  }

  toJSON(): GapsJSON {
    return [...this.clusters.values()].map((c) => ({ ...publicGap(c), profile: [...c.profile], samples: c.samples.map((e) => ({ ...e })) }));
  }

  /**
   * Clusters from JSON. Examples saved before they kept their origin (no `samples`) count as
   * from an unknown conversation, and as EU text when `legacyEu` (an EU region's object).
   */
  static fromJSON(json: GapsJSON | undefined, options: Partial<GapOptions> = {}, legacyEu = true): GapClusters {
    const g = new GapClusters(options);
    for (const c of (json ?? []).slice(-g.options.maxGaps)) {
      if (typeof c?.id !== "string") continue;
      const reasons = Object.fromEntries(GAP_REASONS.map((r) => [r, Number(c.reasons?.[r]) || 0])) as Record<GapReason, number>;
      const samples = Array.isArray(c.samples) ? c.samples : (c.examples ?? []).map((text): GapSample => ({ text, c: null, eu: legacyEu, reason: "no_answer" }));
      const { examples: _e, draftable: _d, representative: _r, samples: _s, ...rest } = c;
      g.clusters.set(c.id, { ...rest, reasons, samples: samples.slice(0, g.options.maxExamples), profile: new Map(c.profile ?? []) });
    }
    return g;
  }

  private create(language: string, tokens: string[], at: number): Cluster {
    let id = `gap_${language}_${stableHash(`${language}|${[...tokens].sort().join(" ")}`)}`;
    for (let n = 2; this.clusters.has(id); n++) id = `${id.split("~")[0]}~${n}`;
    return { id, language, count: 0, samples: [], reasons: { no_answer: 0, low_confidence: 0, not_helpful: 0 }, firstSeen: at, lastSeen: at, profile: new Map() };
  }

  private trimProfile(c: Cluster): void {
    if (c.profile.size <= this.options.maxProfile) return;
    const kept = [...c.profile].sort((a, b) => b[1] - a[1]).slice(0, this.options.maxProfile);
    c.profile = new Map(kept);
  }
}

/** The example most like the gap's profile. */
function representativeOf(c: Cluster): string {
  let best = c.samples[0]?.text ?? "";
  let bestScore = -1;
  for (const { text } of c.samples) {
    const score = cosine(gapTokens(text), c.profile);
    if (score > bestScore) [best, bestScore] = [text, score];
  }
  return best;
}

function publicGap(c: Cluster): Gap {
  const examples = c.samples.map((e) => e.text);
  const draftable = c.samples.filter((e) => !e.eu).map((e) => e.text);
  return { id: c.id, language: c.language, count: c.count, examples, draftable, representative: representativeOf(c), reasons: { ...c.reasons }, firstSeen: c.firstSeen, lastSeen: c.lastSeen };
}

/** The fields of a draft KB article for a gap; its answer is for an editor to write. */
export type GapDraft = Omit<ArticleInput, "answer" | "status"> & { status: "draft"; gapId: string };

/** A draft's title when no example may be copied and the editor typed none. */
const UNTITLED: Record<string, (count: number) => string> = {
  en: (n) => `KB gap: ${n} unanswered question${n === 1 ? "" : "s"} (write a title)`,
  zh: (n) => `知识库缺口：${n} 个未解答的问题（请填写标题）`,
};

/**
 * A draft article from a gap: the representative question as title, the examples as its
 * questions — only those not from an EU conversation (`draftable`). A gap with nothing
 * draftable gets a neutral title and no questions: the editor types the words.
 */
export function draftFromGap(gap: Pick<Gap, "id" | "language" | "count" | "representative" | "draftable">): GapDraft {
  const copied = gap.draftable.includes(gap.representative) ? gap.representative : gap.draftable[0];
  const title = (copied || (UNTITLED[gap.language] ?? UNTITLED.en!)(gap.count)).replace(/\s+/g, " ").trim().slice(0, 300);
  // Redaction placeholders ([email] …) name no topic: they stay out of the slug.
  const words = title
    .replace(PLACEHOLDER, " ")
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|(?<!-)-+$/g, "")
    .slice(0, 60)
    .replace(/(?<!-)-+$/, "");
  const slug = copied && SLUG.test(words) && words.length >= 3 ? words : null;
  const questions = gap.draftable.map((e) => e.slice(0, 500));
  return { slug: slug ?? `gap-${gap.id.slice(-16).replace(/[^a-z0-9_-]/g, "")}`, locale: localeFor(gap.language), title, questions, tags: ["kb-gap"], status: "draft", gapId: gap.id };
}
