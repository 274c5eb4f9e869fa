// The ReleaseDO (one for the deployment) and its view, cached per isolate for a few seconds:
// every conversation start and turn reads it, and a release's change reaches them within that.
// Self-repair reads the open release and rolls it back through `releases` (its port).
import type { ReleaseDO } from "../../durable-objects/release.ts";
import type { Region } from "../edge/regions.ts";
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

/** The actor of a rollback self-repair asked for, in the audit log. */
export const REMEDIATION_ACTOR = "system:remediation";

/** The open release as self-repair sees it (a likely cause of an alert). */
export interface RepairableRelease {
  id: string;
  /** Epoch ms. */
  openedAt: number;
}

/** The releases as self-repair (src/ops/remediation.ts) reads and rolls them back. */
export interface Releases {
  /** The open release; every region's conversations take part in it. */
  open(region: Region): Promise<RepairableRelease | null>;
  /** Rolls the release back; false when it is not open. */
  rollback(id: string): Promise<boolean>;
}

/**
 * Self-repair's port onto ReleaseDO: it reads the open release fresh (not the isolate's cached
 * view) and rolls it back as `system:remediation` (audited by ReleaseDO like the guard's own).
 */
export function releases(env: Env): Releases {
  return {
    async open() {
      const { release } = await releaseObject(env).view();
      return release && { id: release.id, openedAt: Date.parse(release.openedAt) };
    },
    async rollback(id: string) {
      const closed = await releaseObject(env).close(id, { to: "rolled_back", by: REMEDIATION_ACTOR, reason: "rolled back by self-repair (an alert fired while it was open)" });
      if (closed.ok) {
        releaseViewChanged();
        return true;
      }
      if (closed.code === "release_closed" || closed.code === "release_not_found") return false;
      throw new Error(closed.code);
    },
  };
}
