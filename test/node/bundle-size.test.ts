// The bundle size check CI runs (scripts/bundle-size.ts): it measures what wrangler uploads
// (modules, not source maps) and fails above the budget written in the repository.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { bundleModules, measureBundle, readBudget, report } from "../../scripts/bundle-size.ts";

const dir = mkdtempSync(join(tmpdir(), "holdfast-bundle-"));
const code = "export default { fetch() { return new Response('ok'); } };\n".repeat(200);
const sql = "CREATE TABLE t (id INTEGER PRIMARY KEY);\n";
writeFileSync(join(dir, "index.js"), code);
writeFileSync(join(dir, "abc-0001_init.sql"), sql);
writeFileSync(join(dir, "index.js.map"), "x".repeat(50_000));
writeFileSync(join(dir, "README.md"), "generated");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bundle size", () => {
  it("measures the uploaded modules, entry first, leaving out source maps and wrangler's README", () => {
    expect(bundleModules(dir).map((f) => f.slice(dir.length + 1))).toEqual(["index.js", "abc-0001_init.sql"]);
    const size = measureBundle(dir);
    expect(size).toEqual({ modules: 2, rawBytes: code.length + sql.length, gzipBytes: gzipSync(Buffer.from(code + sql)).length });
  });

  it("passes within the budget and fails above it, saying by how much", () => {
    const size = measureBundle(dir);
    const budgetKiB = size.gzipBytes / 1024;
    expect(report(size, { gzipKiB: budgetKiB }).ok).toBe(true);
    const over = report(size, { gzipKiB: budgetKiB / 2 });
    expect(over.ok).toBe(false);
    expect(over.lines.at(-1)).toMatch(/^OVER THE BUDGET by \d+\.\d\d KiB/);
  });

  it("reads the repository's budget, a positive number of KiB", () => {
    expect(readBudget("bundle-budget.json").gzipKiB).toBeGreaterThan(0);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ gzipKiB: "lots" }));
    expect(() => readBudget(bad)).toThrow(/gzipKiB/);
  });
});
