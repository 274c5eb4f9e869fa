// Every alert rule names a runbook page that exists in the repository, every fault has one,
// and the runbook index lists them all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, parseAlertRules } from "../../src/ops/alert-rules.ts";
import { FAULT_NAMES } from "../../src/resilience/faults.ts";
import { faultRunbook, RUNBOOK_DIR, RUNBOOK_INDEX } from "../../src/ops/runbooks.ts";

const index = readFileSync(RUNBOOK_INDEX, "utf8");
const linked = (path: string) => index.includes(`](${path.slice(RUNBOOK_DIR.length + 1)})`);

describe("runbooks", () => {
  it.each(DEFAULT_RULES.map((r) => [r.id, r.runbook]))("rule %s names a page that exists and is in the index (%s)", (_id, runbook) => {
    expect(existsSync(runbook)).toBe(true);
    expect(linked(runbook)).toBe(true);
  });

  it.each(FAULT_NAMES.map((f) => [f, faultRunbook(f)]))("fault %s has a page in the index (%s)", (_fault, page) => {
    expect(existsSync(page)).toBe(true);
    expect(linked(page)).toBe(true);
  });

  it("has each page answer the four questions", () => {
    const pages = readdirSync(RUNBOOK_DIR).filter((f) => f.endsWith(".md") && f !== "README.md" && !["disaster-recovery.md", "data-breach.md"].includes(f));
    for (const page of pages) {
      const text = readFileSync(`${RUNBOOK_DIR}/${page}`, "utf8");
      expect([page, ["## What it means", "## How to confirm", "## What to do", "## How to know it is over"].every((h) => text.includes(h))]).toEqual([page, true]);
    }
  });

  it("links a rule added through ALERT_RULES to the index, or to the page it names", () => {
    const { rules } = parseAlertRules(JSON.stringify({ csat_low: { kind: "threshold", metric: "csat", direction: "below", warning: 3.5, critical: 3 }, sla_spike: { kind: "anomaly", metric: "sla_breaches", runbook: "docs/runbooks/queue-wait.md" } }));
    expect(rules.find((r) => r.id === "csat_low")!.runbook).toBe(RUNBOOK_INDEX);
    expect(rules.find((r) => r.id === "sla_spike")!.runbook).toBe("docs/runbooks/queue-wait.md");
    expect(parseAlertRules(JSON.stringify({ degraded_share: { runbook: "../../etc/passwd" } })).errors.map((e) => e.rule)).toEqual(["degraded_share"]);
  });
});
