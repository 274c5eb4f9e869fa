// The regional replicas' Durable Objects: each region's shards, placed in that region.
import type { KnowledgeReplicaDO } from "../../durable-objects/knowledge-replica.ts";
import { REGIONS } from "../edge/regions.ts";
import { replicaName, shardsOf, type ReplicaAddress } from "../kb/shards.ts";

export type ReplicaStub = DurableObjectStub<KnowledgeReplicaDO>;

export function replicaOf(env: Env, address: ReplicaAddress): ReplicaStub {
  return env.KB_REPLICA.get(env.KB_REPLICA.idFromName(replicaName(address)), { locationHint: address.region });
}

/** Every shard of every region. */
export function allReplicas(shards: (region: (typeof REGIONS)[number]) => number): ReplicaAddress[] {
  return REGIONS.flatMap((region) => shardsOf(region, shards(region)));
}

/** Asks every replica to pull now (after a write to the primary); they sync on their own. */
export async function pingReplicas(env: Env, replicas: ReplicaAddress[]): Promise<void> {
  await Promise.allSettled(replicas.map((address) => replicaOf(env, address).sync()));
}

/**
 * Has a KB release's candidate replicas (each region's, placed there) pull the candidate as it
 * opens, so a region's first canary conversation does not wait for the copy. They train when
 * first asked (until then they rank by full-text search alone, for the seconds that takes).
 */
export async function syncCandidates(env: Env, release: string): Promise<void> {
  await Promise.allSettled(REGIONS.map((region) => replicaOf(env, { region, shard: 0, release }).sync()));
}
