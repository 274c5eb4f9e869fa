import { describe, expect, it } from "vitest";
import { shardOf } from "../../src/edge/hash.ts";
import { formatCursor, KEY_REGISTRY_SHARDS, mergeCounts, parseCursor, rewrapPage, type RegistryEntry, type RewrapAnswer, type RewrapPorts } from "../../src/privacy/key-rewrap.ts";

const hexId = (n: number) => n.toString(16).padStart(64, "0");

/** A FAKE registry and conversations: entries by shard, and what each conversation answers. */
function fakes(entries: Array<[id: string, kid: string]>, answers: Record<string, RewrapAnswer | "throws"> = {}) {
  const registry = new Map(entries);
  const asked: string[] = [];
  const ports: RewrapPorts = {
    page: async (shard, after, limit, exceptKid) =>
      [...registry]
        .filter(([id, kid]) => shardOf(id, KEY_REGISTRY_SHARDS) === shard && id > after && kid !== exceptKid)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([conversationId, kid]): RegistryEntry => ({ conversationId, kid })),
    rewrap: async (id) => {
      asked.push(id);
      const answer = answers[id] ?? { status: "rewrapped", kid: "k2" };
      if (answer === "throws") throw new Error("unknown kid");
      if (answer.status === "rewrapped") registry.set(id, answer.kid);
      return answer;
    },
    forget: async (id) => void registry.delete(id),
  };
  return { registry, asked, ports };
}

/** Runs a whole pass, page by page; the cursors it went through. */
async function pass(ports: RewrapPorts, limit: number, from = parseCursor(undefined)!) {
  const pages = [];
  for (let cursor: string | null = formatCursor(from); cursor !== null; ) {
    const page = await rewrapPage(ports, "k2", parseCursor(cursor)!, limit);
    pages.push(page);
    cursor = page.cursor;
  }
  return pages;
}

describe("a rewrap pass over the key registry", () => {
  it("visits every entry under an older kid once, in shard and id order, page by page, and none under the current kid", async () => {
    const entries = Array.from({ length: 40 }, (_, i): [string, string] => [i % 2 ? `eu-${hexId(i)}` : hexId(i), i % 5 === 0 ? "k2" : "k1"]);
    const { asked, registry, ports } = fakes(entries);
    const pages = await pass(ports, 7);
    const stale = entries.filter(([, kid]) => kid === "k1").map(([id]) => id);
    expect(asked.sort()).toEqual(stale.sort());
    expect(pages.reduce((n, p) => n + p.rewrapped, 0)).toBe(stale.length);
    expect(pages.slice(0, -1).every((p) => p.processed === 7 && p.cursor !== null)).toBe(true);
    expect(pages.at(-1)!.cursor).toBeNull();
    expect([...registry.values()].every((kid) => kid === "k2")).toBe(true);
  });

  it("resumes from a cursor where an interrupted pass stopped, asking nobody twice", async () => {
    const entries = Array.from({ length: 30 }, (_, i): [string, string] => [hexId(i + 100), "k1"]);
    const first = fakes(entries);
    const page = await rewrapPage(first.ports, "k2", parseCursor(undefined)!, 10);
    expect(page).toMatchObject({ processed: 10, rewrapped: 10 });
    // The process stops here; a new one starts from the recorded cursor.
    await pass(first.ports, 10, parseCursor(page.cursor!)!);
    expect(first.asked).toHaveLength(30);
    expect(new Set(first.asked).size).toBe(30);
  });

  it("skips and drops a conversation whose key was destroyed, and counts one that fails without stopping", async () => {
    const [erased, broken, fine] = [hexId(1), hexId(2), hexId(3)];
    const { registry, ports } = fakes(
      [
        [erased, "k1"],
        [broken, "k0"],
        [fine, "k1"],
      ],
      { [erased]: { status: "missing" }, [broken]: "throws" },
    );
    const pages = await pass(ports, 50);
    const total = pages.reduce((t, p) => ({ rewrapped: t.rewrapped + p.rewrapped, erased: t.erased + p.erased, failed: t.failed + p.failed }), { rewrapped: 0, erased: 0, failed: 0 });
    expect(total).toEqual({ rewrapped: 1, erased: 1, failed: 1 });
    expect(registry.has(erased)).toBe(false);
    expect(registry.get(broken)).toBe("k0");
    expect(registry.get(fine)).toBe("k2");
  });

  it("counts a conversation that answers with another kid (running another keyring) as failed", async () => {
    const { ports } = fakes([[hexId(9), "k1"]], { [hexId(9)]: { status: "rewrapped", kid: "k1" } });
    expect(await rewrapPage(ports, "k2", parseCursor("")!, 10)).toMatchObject({ rewrapped: 0, failed: 1, cursor: null });
  });

  it.each(["x", "16.", "3.abc", `1.${hexId(1)}x`, "-1.", "1"])("refuses the cursor %j", (text) => {
    expect(parseCursor(text)).toBeNull();
  });

  it("reads back the cursors it writes", () => {
    for (const cursor of [{ shard: 0, after: "" }, { shard: 15, after: `eu-${hexId(7)}` }]) expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
  });

  it("sums counts per kid over the shards", () => {
    expect(mergeCounts([{ k1: 2 }, {}, { k1: 1, k2: 5 }])).toEqual({ k1: 3, k2: 5 });
  });
});
