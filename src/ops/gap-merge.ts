// The gap report across regions: each RegionOpsDO clusters its own questions, so one topic
// asked in several regions is several gaps. They are merged here per language by the
// cosine of their token profiles (leader clustering, largest first). A merged gap is named
// by its largest member's reference, `<region>.<gap id>`, and any member's reference
// finds it again.
import { isRegion, type Region } from "../edge/regions.ts";
import { GAP_REASONS, type Gap, type GapReason, type GapsJSON } from "./gaps.ts";

/** One region's gaps (with their profiles) and the drafts made from them (gap id → article id). */
export interface RegionGaps {
  region: Region;
  gaps: GapsJSON;
  drafts: Record<string, string>;
}

export interface MergedGap extends Omit<Gap, "id"> {
  /** The largest member's reference. */
  id: string;
  /** Every member's reference, `<region>.<gap id>`. */
  members: string[];
  regions: Region[];
  /** The draft article made from this gap (`locale:slug`), if one was. */
  draft: string | null;
}

export interface MergeOptions {
  /** Cosine of two gaps' profiles at which they are one topic. */
  threshold: number;
  maxExamples: number;
  limit: number;
}

export const DEFAULT_MERGE: MergeOptions = { threshold: 0.5, maxExamples: 5, limit: 50 };

const REF = /^([a-z]{2,4})\.(gap_[a-z]{2,5}_[0-9a-f]{16}(?:~\d{1,4})?)$/;

export function gapRef(region: Region, id: string): string {
  return `${region}.${id}`;
}

/** A reference's region and gap id, or null when it is not one. */
export function parseGapRef(ref: string): { region: Region; id: string } | null {
  const m = REF.exec(ref);
  return m && isRegion(m[1]!) ? { region: m[1], id: m[2]! } : null;
}

/** The pattern of a gap reference, for route validation. */
export const GAP_REF_PATTERN = REF;

interface Cluster {
  gap: MergedGap;
  profile: Map<string, number>;
  seen: Set<string>;
}

const normalized = (text: string) => text.toLowerCase().replace(/[\s\p{P}]+/gu, " ").trim();

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, c] of a) {
    na += c * c;
    dot += c * (b.get(t) ?? 0);
  }
  for (const c of b.values()) nb += c * c;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Merges regions' gaps into one report, largest first (then most recent). */
export function mergeGaps(sources: readonly RegionGaps[], options: Partial<MergeOptions> = {}): MergedGap[] {
  const o = { ...DEFAULT_MERGE, ...options };
  const items = sources
    .flatMap((s) => s.gaps.map((g) => ({ region: s.region, g, ref: gapRef(s.region, g.id), draft: s.drafts[g.id] ?? null })))
    .sort((a, b) => b.g.count - a.g.count || b.g.lastSeen - a.g.lastSeen || a.ref.localeCompare(b.ref));
  const clusters: Cluster[] = [];
  for (const { region, g, ref, draft } of items) {
    const profile = new Map(g.profile);
    let best: Cluster | null = null;
    let bestScore = o.threshold;
    for (const c of clusters) {
      if (c.gap.language !== g.language) continue;
      const score = cosine(profile, c.profile);
      if (score >= bestScore) [best, bestScore] = [c, score];
    }
    if (!best) {
      const reasons = Object.fromEntries(GAP_REASONS.map((r) => [r, 0])) as Record<GapReason, number>;
      const gap: MergedGap = { id: ref, language: g.language, count: 0, examples: [], draftable: [], representative: g.representative, reasons, firstSeen: g.firstSeen, lastSeen: g.lastSeen, members: [], regions: [], draft: null };
      clusters.push((best = { gap, profile: new Map(), seen: new Set() }));
    }
    const m = best.gap;
    m.count += g.count;
    for (const r of GAP_REASONS) m.reasons[r] += Number(g.reasons?.[r]) || 0;
    m.firstSeen = Math.min(m.firstSeen, g.firstSeen);
    m.lastSeen = Math.max(m.lastSeen, g.lastSeen);
    m.members.push(ref);
    if (!m.regions.includes(region)) m.regions.push(region);
    m.draft ??= draft;
    const draftable = new Set(g.draftable ?? []);
    for (const e of g.examples) {
      const key = normalized(e);
      if (m.examples.length < o.maxExamples && !best.seen.has(key)) {
        best.seen.add(key);
        m.examples.push(e);
        // The same words from an EU conversation elsewhere do not make them draftable here.
        if (draftable.has(e)) m.draftable.push(e);
      }
    }
    for (const [t, c] of profile) best.profile.set(t, (best.profile.get(t) ?? 0) + c);
  }
  return clusters
    .map((c) => c.gap)
    .sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen || a.id.localeCompare(b.id))
    .slice(0, o.limit);
}

/** The merged gap a reference names (its own id or any member's), if any. */
export function findGap(gaps: readonly MergedGap[], ref: string): MergedGap | null {
  return gaps.find((g) => g.id === ref || g.members.includes(ref)) ?? null;
}
