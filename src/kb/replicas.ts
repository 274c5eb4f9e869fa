// Addressing the regional replicas: one KnowledgeReplicaDO per region, placed there.
import type { KnowledgeReplicaDO } from "../../durable-objects/knowledge-replica.ts";
import { REGIONS, type Region } from "../edge/regions.ts";

export function replicaOf(env: Env, region: Region): DurableObjectStub<KnowledgeReplicaDO> {
  return env.KB_REPLICA.get(env.KB_REPLICA.idFromName(region), { locationHint: region });
}

/** Asks every region's replica to pull now (after a write to the primary). */
export async function pingReplicas(env: Env): Promise<void> {
  await Promise.allSettled(REGIONS.map((region) => replicaOf(env, region).sync()));
}
