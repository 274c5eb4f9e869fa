// The KB primary as seen from the Worker: drizzle over @libsql/client/web, the same client
// code path against Turso, sqld or the local dev endpoint. Calls time out rather than hang.
import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import type { KbDatabase } from "./articles.ts";
import * as schema from "./schema.ts";

export interface PrimaryConfig {
  url: string;
  authToken?: string;
  timeoutMs: number;
}

export function openPrimary(config: PrimaryConfig): KbDatabase {
  const client = createClient({
    url: config.url,
    authToken: config.authToken || undefined,
    fetch: (input: Request | string | URL, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(config.timeoutMs) }),
  });
  return drizzle(client, { schema }) as unknown as KbDatabase;
}
