// /readyz is public, so its probes of the KB primary and the replica are reused for a few
// seconds (READYZ_CACHE_MS, 5 s): polling it cannot hammer the primary. It names the Worker
// version that answered (a gradual deployment's smoke test checks it).
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it } from "vitest";
import { call } from "./helpers.ts";

/** The Hrana endpoint's own outage switch: not a Holdfast fault, so it does not change the cache key. */
const setPrimary = (up: boolean) =>
  fetch(`${inject("libsqlUrl")}/_dev/availability`, { method: "POST", headers: { Authorization: `Bearer ${inject("libsqlAuthToken")}`, "Content-Type": "application/json" }, body: JSON.stringify({ up }) });

afterEach(async () => {
  await setPrimary(true);
});

type Ready = { status: string; checks: { primary: { reachable: boolean; version: number | null } } };

describe("/readyz probe cache", () => {
  it("answers repeated calls within the window from one probe: an outage that starts inside it is not probed for", async () => {
    const first = await (await call("/readyz")).json<Ready>();
    expect(first.checks.primary).toMatchObject({ reachable: true });
    await setPrimary(false);
    // Had any of these probed the primary, it would have found it down.
    const again = await Promise.all(Array.from({ length: 20 }, async () => (await call("/readyz")).json<Ready>()));
    expect(again.map((r) => r.checks.primary)).toEqual(Array(20).fill(first.checks.primary));
  });
});

describe("/readyz version", () => {
  it("names the Worker version that answered: the version metadata's id, tag and upload time", async () => {
    const ready = await (await call("/readyz")).json<{ version: { id: string; tag: string; timestamp: string } }>();
    expect(ready.version.id).toBe(env.CF_VERSION_METADATA.id);
    expect(ready.version.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(typeof ready.version.tag).toBe("string");
    expect(Number.isNaN(Date.parse(ready.version.timestamp))).toBe(false);
  });
});
