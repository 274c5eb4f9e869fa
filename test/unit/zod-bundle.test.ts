// The Worker bundles "zod" as src/zod.ts (wrangler.toml `alias`): zod without its locales. It
// must keep every other export, or a schema method that a new zod adds would be missing from
// the deployed Worker only, and errors must still read in English.
import * as zod from "zod";
import { describe, expect, it } from "vitest";
import * as bundled from "../../src/zod.ts";

describe("zod as the Worker bundles it", () => {
  it("has every export zod has but its locales and core", () => {
    const names = (m: object) => Object.keys(m).sort();
    expect(names(bundled)).toEqual(names(zod).filter((k) => k !== "locales" && k !== "core"));
    expect(names(bundled.z)).toEqual(names(zod.z).filter((k) => k !== "locales" && k !== "core"));
    expect(bundled.z.object).toBe(zod.z.object);
  });

  it("validates and explains in English", () => {
    const result = bundled.z.object({ name: bundled.z.string() }).safeParse({ name: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Invalid input: expected string, received number");
  });
});
