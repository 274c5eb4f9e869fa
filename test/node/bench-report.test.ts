// The benchmark's results file: written section by section, a failure kept beside what was
// measured before it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BenchReport, describeError } from "../../scripts/bench/report.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "holdfast-bench-report-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("bench report", () => {
  it("writes each section when it finishes, keeps the earlier ones when a later section fails, and goes on", async () => {
    const file = join(dir, "results", "run.json");
    const lines: string[] = [];
    const printed: string[] = [];
    const report = new BenchReport(file, { meta: { date: "2026-12-07", quick: false }, diagnose: () => "wrangler dev still running", log: (line) => lines.push(line) });

    await report.section("floors", async () => ({ p50: 1.2 }), () => printed.push("floors"));
    // Written before the next section starts: a run killed now keeps the floors.
    expect(read(file)).toMatchObject({ date: "2026-12-07", ok: true, sections: { floors: { status: "ok", figures: { p50: 1.2 } } } });

    const sync = await report.section(
      "replica-100000",
      async () => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
      },
      () => printed.push("replica"),
    );
    expect(sync).toBeNull();
    await report.section("redaction", async () => ({ micros: 3 }), () => printed.push("redaction"));

    expect(printed).toEqual(["floors", "redaction"]);
    expect(lines.join("\n")).toContain("replica-100000: FAILED");
    expect(report.failed()).toEqual(["replica-100000"]);
    const written = read(file);
    expect(written.ok).toBe(false);
    expect(written.failed).toEqual(["replica-100000"]);
    expect(written.sections.floors).toMatchObject({ status: "ok", figures: { p50: 1.2 } });
    expect(written.sections["replica-100000"]).toMatchObject({ status: "failed", error: "fetch failed: other side closed (UND_ERR_SOCKET)", diagnosis: "wrangler dev still running" });
    expect(written.sections.redaction).toMatchObject({ status: "ok", figures: { micros: 3 } });
  });

  it("describes an error with its causes, and anything thrown that is not an error", () => {
    expect(describeError(new Error("outer", { cause: new Error("inner") }))).toBe("outer: inner");
    expect(describeError(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBe("write EPIPE");
    expect(describeError("plain")).toBe("plain");
  });
});
