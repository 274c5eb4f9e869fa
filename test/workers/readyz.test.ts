// /readyz is public, so its probes of the KB primary and the replica are reused for a few
// seconds (READYZ_CACHE_MS, 5 s): polling it cannot hammer the primary.
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
