// Transcript reads reach ops: an agent opening a conversation sends a transcript_read event
// (the operator's id, the conversation hashed) to the RegionOpsDO of the region the request
// came from, which counts each conversation once an hour per operator for the unusual-reads
// alert; a refused read counts nothing. (The alert itself is tested in the unit project.)
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RegionOpsDO } from "../../src/index.ts";
import type { OperatorReadStats } from "../../src/ops/operator-reads.ts";
import { agent, frames, handedOver, openConsole, team } from "./agent-helpers.ts";
import { call } from "./helpers.ts";
import { eventually, regionOpsStub } from "./ops-helpers.ts";

const REGION = "me";
const HOUR = 3_600_000;

/** What the region's RegionOpsDO counts of an operator's reads (its in-memory state, as the alert reads it). */
function readsOf(operator: string): Promise<OperatorReadStats | undefined> {
  return runInDurableObject(regionOpsStub(REGION), (instance: RegionOpsDO) => instance["ops"]?.operatorReads(HOUR, 7, Date.now()).find((s) => s.operator === operator));
}

const read = (token: string, id: string) => call(`/v1/agent/conversations/${id}`, { headers: { Authorization: `Bearer ${token}`, "X-Holdfast-Region": REGION } });

describe("transcript reads as ops events", () => {
  it("counts an agent's reads per operator, a conversation once an hour, and not a refused read", async () => {
    const t = team();
    const ana = await agent("Ana", t);
    const screen = await openConsole(ana, { status: "online", capacity: 2 });
    const [first, second] = [await handedOver(t), await handedOver(t)];
    await screen.until((c) => frames(c, "assigned").length === 2);

    for (const id of [first.id, first.id, second.id]) expect((await read(ana.token, id)).status).toBe(200);
    const counted = await eventually(() => readsOf(ana.id), (s) => (s?.recent ?? 0) >= 2);
    expect(counted).toEqual({ operator: ana.id, recent: 2, medianDay: 0, activeDays: 0 });

    // Bo, of another team, may not read Ana's conversation: refused, and nothing counted.
    const bo = await agent("Bo", team());
    expect((await read(bo.token, first.id)).status).toBe(403);
    await new Promise((r) => setTimeout(r, 500));
    expect(await readsOf(bo.id)).toBeUndefined();
  });
});
