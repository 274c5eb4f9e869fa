// Helpers for the ops tests in workerd: operator keys per role, ops API calls, the region's
// RegionOpsDO, and polling until batched events have arrived.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import type { OperatorRole } from "../../src/auth/roles.ts";
import type { AuditEntry } from "../../src/privacy/audit-chain.ts";
import { createOperator } from "../../src/operators/repository.ts";
import { ADMIN_KEY, call, createConversation, testPrimary, type Created } from "./helpers.ts";

/** A new operator of `role` in the KB primary, and its key. */
export async function operatorKey(role: OperatorRole): Promise<string> {
  const db = testPrimary();
  const { key } = await createOperator(db, { name: `ops test ${role}`, role }, { now: Date.now(), random: (n) => crypto.getRandomValues(new Uint8Array(n)) });
  return key;
}

/** A GET with an operator key (the admin key by default). */
export function opsGet(path: string, key: string = ADMIN_KEY): Promise<Response> {
  return call(path, { headers: { Authorization: `Bearer ${key}` } });
}

export async function opsJson<T>(path: string, key: string = ADMIN_KEY): Promise<T> {
  const res = await opsGet(path, key);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json<T>();
}

/** A conversation in a forced region (dev header), optionally from a country. */
export function conversationIn(region: string, country?: string, body: Record<string, unknown> = {}): Promise<Created> {
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Holdfast-Region": region };
  if (country) headers["X-Holdfast-Country"] = country;
  return call("/v1/conversations", { method: "POST", headers, body: JSON.stringify(body) }).then(async (res) => {
    if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
    return res.json<Created>();
  });
}

/** The region's RegionOpsDO (JURISDICTIONS is off in tests: every region in the plain namespace). */
export function regionOpsStub(region: string) {
  return env.REGION_OPS.get(env.REGION_OPS.idFromName(region));
}

/** Runs the region's alarm now (evaluation, save, webhook delivery). */
export async function runOpsAlarm(region: string): Promise<void> {
  if (!(await runDurableObjectAlarm(regionOpsStub(region)))) throw new Error(`no alarm was set for ${region}`);
}

/** Polls `read` until `done` holds (events arrive in batches, a fraction of a second later). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${JSON.stringify(value).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { createConversation };

/** The audit log's entries that pass `keep`, read a page at a time (admin key). */
export async function auditEntries(keep: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let after = 0; ; ) {
    const page = await opsJson<{ entries: AuditEntry[]; nextAfter: number | null }>(`/v1/admin/audit?after=${after}&limit=500`);
    out.push(...page.entries.filter(keep));
    if (page.nextAfter === null) return out;
    after = page.nextAfter;
  }
}
