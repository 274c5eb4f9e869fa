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
