// The key registry's Durable Objects: KEY_REGISTRY_SHARDS of them, a conversation's entry in
// the shard its id hashes to (src/privacy/key-rewrap.ts says what the registry is for).
import type { KeyRegistryDO } from "../../durable-objects/key-registry.ts";
import { shardOf } from "../edge/hash.ts";
import { KEY_REGISTRY_SHARDS } from "../privacy/key-rewrap.ts";

export type KeyRegistryStub = DurableObjectStub<KeyRegistryDO>;

/** One shard of the registry. */
export function keyRegistryShard(env: Env, shard: number): KeyRegistryStub {
  return env.KEY_REGISTRY.get(env.KEY_REGISTRY.idFromName(`keys:${shard}`));
}

/** The shard that holds a conversation's entry. */
export function keyRegistryOf(env: Env, conversationId: string): KeyRegistryStub {
  return keyRegistryShard(env, shardOf(conversationId, KEY_REGISTRY_SHARDS));
}
