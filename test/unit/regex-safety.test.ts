// No regular expression of ours may backtrack polynomially or exponentially: each one in
// src/ and public/ (third-party public/vendor/ aside) must be safe by recheck's verdict.
import { describe, expect, it } from "vitest";
import { PII_KINDS, placeholder } from "../../src/privacy/redact.ts";
import { REGIONS } from "../../src/edge/regions.ts";
import { EXCLUDED_DIRS, regexInventory, type FoundRegex } from "../support/regex-inventory.ts";
import { verdictLine, verdictsOf } from "../support/regex-verdict.ts";

const { found, dynamic } = regexInventory(".");

/**
 * RegExps built from run-time values, by file and argument as written, with the patterns
 * they build (checked like the rest). Changing such a call fails the test until it is
 * listed again here, with what it builds now.
 */
const DYNAMIC: Record<string, { builds: string; examples: RegExp[] }> = {
  "src/http/app.ts: `^${r.path.replace(/[.+?^${}()|[\\]\\\\]/g, \"\\\\$&\").replace(/:[A-Za-z0-9_]+/g, \"[^/]+\")}$`": {
    builds: "one pattern per route: the escaped path, anchored, each :param as [^/]+",
    examples: [/^\/v1\/conversations\/[^/]+\/messages\/[^/]+\/feedback$/, /^\/v1\/dev\/replicas\/[^/]+\/search-timing$/, /^\/healthz$/],
  },
  "src/answer/pipeline.ts: PII_KINDS.map((k) => placeholder(k).replace(/[[\\]]/g, \"\\\\$&\")).join(\"|\")": {
    builds: "the redaction placeholders, escaped, as one alternation",
    examples: [new RegExp(PII_KINDS.map((k) => placeholder(k).replace(/[[\]]/g, "\\$&")).join("|"), "g")],
  },
  "src/http/routes/admin-kb.ts: `^(${REGIONS.join(\"|\")})$`": {
    builds: "the region names, anchored, as one alternation",
    examples: [new RegExp(`^(${REGIONS.join("|")})$`)],
  },
};

describe("the regex inventory", () => {
  it("reads literals, and RegExp constructors built from constants, from src/ and public/", () => {
    const at = (file: string) => found.filter((r) => r.at.startsWith(`${file}:`));
    expect(at("src/privacy/redact.ts").length).toBeGreaterThan(20);
    // IPV4 is a template over a constant; SECRET_EN a template over a constant list of words.
    expect(at("src/privacy/redact.ts").some((r) => r.source.startsWith("(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}"))).toBe(true);
    expect(at("src/privacy/redact.ts").some((r) => r.source.includes("(password|passwd|passcode|") && r.flags === "gi")).toBe(true);
    expect(found.some((r) => r.at.startsWith("public/"))).toBe(true);
  });

  it(`leaves out third-party code (${EXCLUDED_DIRS.join(", ")})`, () => {
    expect(found.filter((r) => EXCLUDED_DIRS.some((dir) => r.at.startsWith(`${dir}/`)))).toEqual([]);
  });

  it("lists every RegExp built at run time, and only those", () => {
    expect(dynamic.map((d) => `${d.file}: ${d.argument}`).sort()).toEqual(Object.keys(DYNAMIC).sort());
  });
});

describe("every regular expression in src/ and public/", () => {
  const all: FoundRegex[] = [
    ...found,
    ...Object.entries(DYNAMIC).flatMap(([key, d]) => d.examples.map((re) => ({ at: `${key.split(":")[0]} (built: ${d.builds})`, source: re.source, flags: re.flags }))),
  ];

  // Polynomial blow-ups count as much as exponential ones: a [ \t]* run split three ways
  // took 25 s on one 4,000-character chat message.
  it(
    "is safe from catastrophic backtracking by recheck's verdict (no polynomial or exponential case)",
    async () => {
      const verdicts = await verdictsOf(all);
      expect(verdicts.filter(([, d]) => d.status !== "safe").map(([r, d]) => verdictLine(r.at, d))).toEqual([]);
    },
    900_000,
  );
});
