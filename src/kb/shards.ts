// Replica shards: a region's conversations spread over REPLICA_SHARDS KnowledgeReplicaDOs
// by a stable hash of the conversation, so one busy region is not capped by one object.
// Each shard syncs on its own; shard 0 keeps the region's plain name.
import { shardOf } from "../edge/hash.ts";
import type { Region } from "../edge/regions.ts";

export interface ReplicaAddress {
  region: Region;
  shard: number;
  /** A release's candidate replica of the region (one per region and release; no shards). */
  release?: string;
}

/** The Durable Object name of a region's shard, or of its candidate replica in a release. */
export function replicaName({ region, shard, release }: ReplicaAddress): string {
  if (release) return `${region}:canary:${release}`;
  return shard === 0 ? region : `${region}:${shard}`;
}

/** The release whose candidate a replica of this name holds, or null for a stable replica. */
export function releaseOfReplica(name: string | undefined): string | null {
  return /^[a-z]+:canary:(rel_[0-9a-f]{16})$/.exec(name ?? "")?.[1] ?? null;
}

/** The shard that serves a conversation. */
export function replicaFor(region: Region, conversationKey: string, shards: number): ReplicaAddress {
  return { region, shard: shardOf(conversationKey, shards) };
}

/** The next shard of the same region (the first fallback when a shard fails), or null with one shard. */
export function siblingOf(address: ReplicaAddress, shards: number): ReplicaAddress | null {
  return shards > 1 ? { region: address.region, shard: (address.shard + 1) % shards } : null;
}

/** Every shard of a region. */
export function shardsOf(region: Region, shards: number): ReplicaAddress[] {
  return Array.from({ length: Math.max(1, shards) }, (_, shard) => ({ region, shard }));
}
