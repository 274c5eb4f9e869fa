// The KB primary as seen from the Worker: drizzle over @libsql/client/web, the same client
// code path against Turso, sqld or the local dev endpoint. Calls time out rather than hang.
import { createClient, type Client } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import { isolateBreakers, type BreakerOptions } from "../resilience/breaker.ts";
import type { KbDatabase } from "../kb/articles.ts";
import * as schema from "../kb/schema.ts";
import type { Config } from "../config.ts";
import { currentFaults } from "../resilience/faults.ts";

export interface PrimaryConfig {
  url: string;
  authToken?: string;
  timeoutMs: number;
  /** The "primary" circuit breaker's trip count and cool-down. */
  breaker?: BreakerOptions;
}

/** Thrown instead of calling the primary while it is open-circuited or a drill takes it down. */
export class PrimaryUnavailableError extends Error {
  constructor(why: string) {
    super(`KB primary unavailable: ${why}`);
    this.name = "PrimaryUnavailableError";
  }
}

/**
 * Opens the primary. `down` is consulted before every request (the dev fault switch); the
 * "primary" breaker fails calls fast while the primary keeps failing.
 */
export function openPrimary(config: PrimaryConfig, down: () => boolean = () => false): KbDatabase {
  const breaker = isolateBreakers(config.breaker ?? { failures: 3, coolDownMs: 10_000 }).get("primary");
  const client = createClient({
    url: config.url,
    authToken: config.authToken || undefined,
    fetch: (input: Request | string | URL, init?: RequestInit) =>
      breaker.run(async () => {
        if (down()) throw new PrimaryUnavailableError("fault primary-down");
        const res = await fetch(input, { ...init, signal: AbortSignal.timeout(config.timeoutMs) });
        if (res.status >= 500) throw new PrimaryUnavailableError(`status ${res.status}`);
        return res;
      }),
  });
  return drizzle(client, { schema }) as unknown as KbDatabase;
}

/** The primary a deployment's settings name, down while the dev fault switch says so. */
export function configuredPrimary(config: Pick<Config, "primary" | "devMode" | "faultsAtStart">): KbDatabase {
  return openPrimary(config.primary, () => currentFaults(config.devMode, config.faultsAtStart).primaryDown);
}

/**
 * A plain client of the primary reading integers exactly, for the scheduled backup: no
 * breaker (a cron job, not a turn), each call still timed out.
 */
export function backupReader(config: PrimaryConfig): Client {
  return createClient({
    url: config.url,
    authToken: config.authToken || undefined,
    intMode: "bigint",
    fetch: (input: Request | string | URL, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(config.timeoutMs) }),
  });
}
