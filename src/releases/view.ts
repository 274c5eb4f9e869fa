// What Workers and conversations read of the releases (from ReleaseDO, cached per isolate),
// how a conversation's arm is chosen and followed, and the webhook notice of a change of state.
import { shardOf } from "../edge/hash.ts";
import { applyChanges, type AnswerSettings } from "./answer-settings.ts";
import { armOf } from "./guard.ts";
import type { ReleaseTag } from "./outcomes.ts";
import type { Release } from "./repository.ts";

/** The open release as conversations need it. */
export interface OpenRelease {
  id: string;
  kind: "kb" | "settings";
  /** ISO time. */
  openedAt: string;
  percent: number;
  stableVersion: number;
  candidateVersion: number;
  changes: AnswerSettings | null;
}

export interface ReleaseView {
  release: OpenRelease | null;
  /** The stable answer settings. */
  settings: AnswerSettings;
}

/** A new conversation's part in the open release (sticky: kept in its record), or none. */
export function tagFor(conversationId: string, release: OpenRelease | null): ReleaseTag | undefined {
  if (!release) return undefined;
  const arm = armOf(shardOf(conversationId, 100), release.percent);
  return { id: release.id, kind: release.kind, arm, version: arm === "canary" ? release.candidateVersion : release.stableVersion };
}

/** What a conversation answers with now: its release's candidate only while that release is still open. */
export interface Track {
  /** The open KB release whose candidate replica answers it, or null (stable replicas). */
  kbRelease: string | null;
  /** The candidate version it answers from (KB canary), else null. */
  kbVersion: number | null;
  settings: AnswerSettings;
  /** For reply metadata and the guard: the release it takes part in while that is open. */
  release: { id: string; arm: "canary" | "stable" } | null;
}

export function trackOf(tag: ReleaseTag | null, view: ReleaseView): Track {
  const open = view.release;
  const live = tag && open && open.id === tag.id ? open : null;
  const canary = live !== null && tag!.arm === "canary";
  return {
    kbRelease: canary && live.kind === "kb" ? live.id : null,
    kbVersion: canary && live.kind === "kb" ? live.candidateVersion : null,
    settings: canary && live.kind === "settings" && live.changes ? applyChanges(view.settings, live.changes) : view.settings,
    release: live && { id: live.id, arm: tag!.arm },
  };
}

/** The webhook notice of a release's change of state (signed like alerts). */
export function releaseNotice(r: Release) {
  const at = r.closedAt ?? r.openedAt;
  const what = r.state === "canary" ? `opened at ${r.percent}%` : r.state === "promoted" ? "promoted" : "rolled back";
  const by = r.state === "canary" ? r.openedBy : r.closedBy;
  return {
    source: "holdfast" as const,
    id: `${r.id}:${r.state}`,
    kind: "release" as const,
    at,
    summary: `${r.kind === "kb" ? "KB" : "Answer settings"} release ${r.id} ${what} by ${by}${r.reason ? `: ${r.reason}` : ""}`,
    release: r,
  };
}
