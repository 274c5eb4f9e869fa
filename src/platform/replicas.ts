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
 * Readies a KB release's candidate replicas as it opens (each region's, placed there): they pull
 * the candidate now and train as if asked, so the canary's first conversations are not answered
 * by a copy still arriving or ranked by full-text search alone (which the guard would count
 * against the release).
 */
export async function warmCandidates(env: Env, release: string): Promise<void> {
  await Promise.allSettled(
    REGIONS.map(async (region) => {
      const replica = replicaOf(env, { region, shard: 0, release });
      await replica.sync();
      await replica.status(true);
    }),
  );
}
