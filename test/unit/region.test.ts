import { describe, expect, it } from "vitest";
import { conversationAt, newConversation, type ConversationNamespace } from "../../src/platform/conversations.ts";
import { jurisdictionOf, regionOf } from "../../src/edge/region.ts";

describe("region table", () => {
  it.each([
    [{ continent: "NA", timezone: "America/Los_Angeles" }, "wnam"],
    [{ continent: "NA", timezone: "America/New_York" }, "enam"],
    [{ continent: "EU", country: "FR" }, "weur"],
    [{ continent: "EU", country: "RO" }, "eeur"],
    [{ continent: "AF", country: "EG" }, "me"],
    [{ continent: "AN" }, "oc"],
    [undefined, "oc"],
  ])("%j → %s", (geo, region) => {
    expect(regionOf(geo, "oc")).toBe(region);
  });

  it("puts EU member states, and only them, in the eu jurisdiction", () => {
    expect(jurisdictionOf({ country: "IE" })).toBe("eu");
    expect(jurisdictionOf({ country: "ch" })).toBeNull();
    expect(jurisdictionOf({ country: "GB" })).toBeNull();
  });
});

/**
 * A FAKE namespace: workerd does not implement jurisdictions, so routing through
 * `namespace.jurisdiction("eu")` is checked by recording the calls.
 */
function fakeNamespace() {
  const calls: string[] = [];
  const ns = (scope: string) => ({
    jurisdiction: (j: string) => {
      calls.push(`jurisdiction(${j})`);
      return ns(j);
    },
    newUniqueId: () => {
      calls.push(`${scope}.newUniqueId`);
      return { toString: () => "a".repeat(64) };
    },
    idFromString: (hex: string) => {
      calls.push(`${scope}.idFromString`);
      return { toString: () => hex };
    },
  });
  return { ns: ns("root") as unknown as ConversationNamespace, calls };
}

describe("conversation addresses (fake namespace: workerd has no jurisdictions)", () => {
  it("creates EU conversations in the eu jurisdiction and marks their id", () => {
    const { ns, calls } = fakeNamespace();
    const address = newConversation(ns, "eu", true);
    expect(address.id).toBe(`eu-${"a".repeat(64)}`);
    expect(calls).toEqual(["jurisdiction(eu)", "eu.newUniqueId"]);
  });

  it("finds an EU conversation through the eu jurisdiction on every later request", () => {
    const { ns, calls } = fakeNamespace();
    expect(conversationAt(ns, `eu-${"b".repeat(64)}`, true)).toMatchObject({ jurisdiction: "eu" });
    expect(calls).toEqual(["jurisdiction(eu)", "eu.idFromString"]);
  });

  it("keeps other conversations in the plain namespace", () => {
    const { ns, calls } = fakeNamespace();
    conversationAt(ns, "c".repeat(64), true);
    newConversation(ns, null, true);
    expect(calls).toEqual(["root.idFromString", "root.newUniqueId"]);
  });

  it("rejects ids of the wrong shape", () => {
    const { ns } = fakeNamespace();
    for (const id of ["", "eu-", `us-${"a".repeat(64)}`, "A".repeat(64), "a".repeat(63)]) expect(conversationAt(ns, id, true)).toBeNull();
  });
});
