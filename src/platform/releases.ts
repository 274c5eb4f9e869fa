// The ReleaseDO (one for the deployment) and its view, cached per isolate for a few seconds:
// every conversation start and turn reads it, and a release's change reaches them within that.
import type { ReleaseDO } from "../../durable-objects/release.ts";
import { withTimeout } from "../resilience/breaker.ts";
import type { OutcomeReport } from "../releases/outcomes.ts";
import type { ReleaseView } from "../releases/view.ts";

export type ReleaseStub = DurableObjectStub<ReleaseDO>;

const VIEW_TTL_MS = 3_000;
const VIEW_TIMEOUT_MS = 1_000;
const NONE: ReleaseView = { release: null, settings: {} };

export function releaseObject(env: Env): ReleaseStub {
  return env.RELEASES.get(env.RELEASES.idFromName("releases"));
}

let cached: { view: ReleaseView; at: number } | null = null;
let pending: Promise<ReleaseView> | null = null;

/**
 * The releases as this isolate last read them (at most VIEW_TTL_MS old). When ReleaseDO
 * cannot answer, the last view read stands (none at all: no release, default settings), so a
 * conversation is never held up by it.
 */
export function releaseView(env: Env, now = Date.now()): Promise<ReleaseView> {
  if (cached && now - cached.at < VIEW_TTL_MS) return Promise.resolve(cached.view);
  pending ??= withTimeout(releaseObject(env).view(), VIEW_TIMEOUT_MS, "releases")
    .then((view) => {
      cached = { view, at: Date.now() };
      return view;
    })
    .catch(() => cached?.view ?? NONE)
    .finally(() => (pending = null));
  return pending;
}

/** Forgets the cached view (after this isolate opened or closed a release). */
export function releaseViewChanged(): void {
  cached = null;
}

/** Sends a conversation's outcomes to the guard; never fails its caller. */
export async function reportOutcomes(env: Env, reports: OutcomeReport[]): Promise<void> {
  if (!reports.length) return;
  await releaseObject(env).record(reports).catch(() => {});
}

// KB releases as self-repair sees them: the release open in a region, if any, and rolling it back.
import type { Region } from "../edge/regions.ts";

export interface OpenRelease {
  id: string;
  /** Epoch ms. */
  openedAt: number;
}

export interface Releases {
  open(region: Region): Promise<OpenRelease | null>;
  /** Rolls the release back; false when it is not open. */
  rollback(id: string): Promise<boolean>;
}

/** No release registry: nothing open, nothing to roll back. */
export const NO_RELEASES: Releases = {
  open: async () => null,
  rollback: async () => false,
};

export function releases(_env: Env): Releases {
  return NO_RELEASES;
}
