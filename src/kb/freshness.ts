// How fresh a replica's copy is: seconds since its last good sync, and whether it counts
// as stale (the last attempt failed, it never synced, or it is older than two intervals).
import type { ReplicaFreshness } from "./search.ts";

export interface SyncTimes {
  version: number;
  lastSyncAt: number | null;
  failures: number;
}

export function freshnessOf(state: SyncTimes, now: number, intervalMs: number): ReplicaFreshness {
  const lagSeconds = state.lastSyncAt === null ? null : Math.max(0, Math.round((now - state.lastSyncAt) / 1000));
  const stale = state.failures > 0 || lagSeconds === null || lagSeconds * 1000 > 2 * intervalMs;
  return { kbVersion: state.version, lagSeconds, stale };
}
