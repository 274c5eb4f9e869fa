// An alert as the ops dashboard shows it (public/ops-alerts.js), rendered with a fake `el`
// into text: the runbook (a link with RUNBOOK_BASE_URL, else the path), the likely cause
// worded from its top signal and what self-repair did, in English and in Chinese.
import { describe, expect, it } from "vitest";
// @ts-expect-error: a page module in plain JS.
import { alertItem } from "../../public/ops-alerts.js";
// @ts-expect-error: a page module in plain JS.
import { OPS_STRINGS } from "../../public/ops-i18n.js";
import { degradedShareAlert } from "../support/ops-events.ts";

type Tree = { tag: string; attrs: Record<string, unknown>; children: Array<Tree | string> };
const el = (tag: string, attrs: Record<string, unknown> = {}, ...children: Array<Tree | string | number>): Tree => ({ tag, attrs, children: children.map((c) => (typeof c === "number" ? String(c) : c)) });
const text = (n: Tree | string): string => (typeof n === "string" ? n : n.children.map(text).join(""));
const find = (n: Tree | string, cls: string): Tree | undefined => (typeof n === "string" ? undefined : String(n.attrs.class ?? "").split(" ").includes(cls) ? n : n.children.map((c) => find(c, cls)).find(Boolean));

function view(lang: "en" | "zh-CN", runbookBaseUrl: string | null = null) {
  const lookup = (table: unknown, path: string) => path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], table);
  const t = (path: string, vars: Record<string, unknown> = {}) => {
    const value = (lookup(OPS_STRINGS[lang], path) ?? `MISSING:${path}`) as string;
    return value.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
  };
  return { t, number: (n: number | null) => (n === null ? "–" : String(n)), percent: (r: number) => `${Math.round(r * 100)}%`, clock: () => "12:00:00", el, runbookBaseUrl };
}

const alert = degradedShareAlert(0, {
  value: 1,
  likelyCause: { at: 0, hint: "circuit breaker replica:weur is open (+1 more signal)", signals: [{ kind: "breaker", name: "replica:weur", score: 0.8 }, { kind: "degraded_reason", reason: "replica_unavailable", turns: 4, share: 1, score: 0.7 }] },
  remediation: [{ action: "replica_resync", target: "weur", result: "done", at: 0 }, { action: "generation_off", target: "weur", result: "dry_run", at: 0 }],
});

describe("an alert on /ops", () => {
  it("shows its likely cause, what was done and its runbook, in English", () => {
    const item = alertItem(alert, view("en"));
    expect(text(find(item, "cause")!)).toBe("Likely cause: circuit breaker replica:weur is open (+1 more)");
    expect(text(find(item, "remediation")!)).toBe("Done automatically: replica resync weur · done; generation off weur · dry run, not done");
    expect(find(item, "runbook")!.children[1]).toMatchObject({ tag: "code", children: ["docs/runbooks/degraded-share.md"] });
  });

  it("links the runbook when RUNBOOK_BASE_URL is set", () => {
    const link = find(alertItem(alert, view("en", "https://github.com/acme/holdfast/blob/main/")), "runbook")!.children[1] as Tree;
    expect(link).toMatchObject({ tag: "a", attrs: { href: "https://github.com/acme/holdfast/blob/main/docs/runbooks/degraded-share.md", rel: "noopener" } });
    const bare = find(alertItem(alert, view("en", "https://docs.example/holdfast")), "runbook")!.children[1] as Tree;
    expect(bare.attrs.href).toBe("https://docs.example/holdfast/docs/runbooks/degraded-share.md");
  });

  it("words everything in Chinese, with no string missing", () => {
    const signals = [
      { kind: "fault", name: "llm-down" },
      { kind: "release", id: "r1", ageMinutes: 3 },
      { kind: "desk", team: "billing", conversations: 2 },
      { kind: "replica", replica: "weur:1", lagSeconds: null, failures: 3, error: "X" },
      { kind: "replica", replica: "weur", lagSeconds: 900, failures: 0, error: null },
      { kind: "turn_errors", turns: 2, share: 0.1 },
      { kind: "kb_version", version: 9, ageMinutes: 4 },
      { kind: "degraded_reason", reason: "llm_budget", turns: 1, share: 0.5 },
    ];
    const actions = ["replica_resync", "replica_rebuild", "generation_off", "generation_on", "release_rollback", "desk_requeue"];
    for (const signal of signals) {
      const item = alertItem({ ...alert, likelyCause: { ...alert.likelyCause, signals: [signal] }, remediation: actions.map((action) => ({ action, target: "t", result: "failed", at: 0 })) }, view("zh-CN"));
      expect(text(item)).not.toContain("MISSING");
    }
    const reads = alertItem({ ...alert, ruleId: "transcript_reads", kind: "reads", metric: "transcript_reads", subject: "op_1", value: 120, threshold: 40, likelyCause: { at: 0, hint: "x", signals: [] }, remediation: [] }, view("zh-CN"));
    expect(text(find(reads, "cause")!)).toBe("可能原因: 运营人员 op_1 在最近一小时读取了 120 个会话的记录（阈值 40）");
    expect(text(find(reads, "remediation")!)).toBe("自动处理: 无");
  });
});
