// Fault injection for drills, development and CI: switches that make the LLM fail or crawl,
// the KB primary, a replica, the rate limiter or outgoing mail unreachable, the region over its LLM budget,
// or every replica call slower. Off and unreachable unless the dev flag is set: with
// HOLDFAST_DEV unset the switches always read "no fault". They live per isolate (all of a local `wrangler dev`).

export interface Faults {
  llmDown: boolean;
  llmSlow: boolean;
  primaryDown: boolean;
  replicaDown: boolean;
  regionOverBudget: boolean;
  /** One replica shard of the region down (its siblings up), or null. */
  replicaShardDown: number | null;
  /** The region's RegionLimiterDO fails (the Worker falls back to per-isolate buckets). */
  limiterDown: boolean;
  /** Extra latency on every replica call, in ms. */
  latencyMs: number;
  /** The send_email binding fails (replies wait in the mail outbox and are retried). */
  mailDown: boolean;
}

export const NO_FAULTS: Faults = { llmDown: false, llmSlow: false, primaryDown: false, replicaDown: false, regionOverBudget: false, replicaShardDown: null, limiterDown: false, latencyMs: 0, mailDown: false };

export const FAULT_NAMES = ["llm-down", "llm-slow", "primary-down", "replica-down", "replica-shard-down=<shard>", "region-over-budget", "limiter-down", "mail-down", "latency=<ms>"];

/** Parses fault names; null when one is not a fault. */
export function parseFaults(names: string[]): Faults | null {
  const faults = { ...NO_FAULTS };
  for (const raw of names.map((n) => n.trim()).filter(Boolean)) {
    const latency = /^latency=(\d{1,6})$/.exec(raw);
    const shard = /^replica-shard-down=(\d{1,2})$/.exec(raw);
    if (latency) faults.latencyMs = Number(latency[1]);
    else if (shard) faults.replicaShardDown = Number(shard[1]);
    else if (raw === "llm-down") faults.llmDown = true;
    else if (raw === "llm-slow") faults.llmSlow = true;
    else if (raw === "primary-down") faults.primaryDown = true;
    else if (raw === "replica-down") faults.replicaDown = true;
    else if (raw === "region-over-budget") faults.regionOverBudget = true;
    else if (raw === "limiter-down") faults.limiterDown = true;
    else if (raw === "mail-down") faults.mailDown = true;
    else return null;
  }
  return faults;
}

/** The names of the active faults. */
export function faultNames(faults: Faults): string[] {
  const names: string[] = [];
  if (faults.llmDown) names.push("llm-down");
  if (faults.llmSlow) names.push("llm-slow");
  if (faults.primaryDown) names.push("primary-down");
  if (faults.replicaDown) names.push("replica-down");
  if (faults.replicaShardDown !== null) names.push(`replica-shard-down=${faults.replicaShardDown}`);
  if (faults.regionOverBudget) names.push("region-over-budget");
  if (faults.limiterDown) names.push("limiter-down");
  if (faults.mailDown) names.push("mail-down");
  if (faults.latencyMs) names.push(`latency=${faults.latencyMs}`);
  return names;
}

let active: Faults = NO_FAULTS;
let seeded = false;

/**
 * The faults in force. Without the dev flag there are none, whatever was set. The first
 * call seeds them from HOLDFAST_FAULTS (`npm start -- --fault <name>`).
 */
export function currentFaults(devMode: boolean, atStart = ""): Faults {
  if (!devMode) return NO_FAULTS;
  if (!seeded) {
    seeded = true;
    active = parseFaults(atStart.split(",")) ?? NO_FAULTS;
  }
  return active;
}

/** Switches faults on (dev flag only); returns what is now active. */
export function setFaults(devMode: boolean, faults: Faults): Faults {
  if (!devMode) return NO_FAULTS;
  seeded = true;
  active = faults;
  return active;
}
