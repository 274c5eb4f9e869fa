// The running Worker version, from the `version_metadata` binding (CF_VERSION_METADATA).
// A Durable Object reads its own: during a gradual deployment each object runs one version,
// which may not be the calling Worker's.
import { NO_VERSION, type WorkerVersion } from "../ops/version.ts";

/** The version this Worker or Durable Object runs; empty strings where the binding is missing. */
export function workerVersion(env: Pick<Env, "CF_VERSION_METADATA">): WorkerVersion {
  const meta = env.CF_VERSION_METADATA;
  if (!meta) return NO_VERSION;
  return { id: meta.id ?? "", tag: meta.tag ?? "", timestamp: meta.timestamp ?? "" };
}
