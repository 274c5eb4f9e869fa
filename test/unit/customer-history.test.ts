// A verified customer's history: which earlier conversation a returning customer is greeted
// with, and the articles kept per conversation.
import { describe, expect, it } from "vitest";
import { leftOpen, MAX_HISTORY, MAX_HISTORY_ARTICLES, mergedHistory, returningMention, withArticles, type HistoryEntry } from "../../src/conversation/history.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15);
const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({ id: "c1", startedAt: new Date(NOW - DAY).toISOString(), channel: "web", status: "closed_by_customer", handedOff: false, articles: [], updatedAt: new Date(NOW - DAY).toISOString(), ...over });

describe("a conversation left open", () => {
  it.each([
    ["a person asked for, then the customer left", { handedOff: true }, "handed_off"],
    ["a person asked for, still open", { handedOff: true, status: "open" as const }, "handed_off"],
    ["a person asked for, closed by the agent as not resolved", { handedOff: true, status: "closed_by_agent" as const, resolution: "not_resolved" }, "handed_off"],
    ["the agent closed it as resolved", { handedOff: true, status: "closed_by_agent" as const, resolution: "resolved" }, null],
    ["the agent closed it as spam", { handedOff: true, status: "closed_by_agent" as const, resolution: "spam" }, null],
    ["it went idle without an answer left standing", { status: "idle_timeout" as const }, "unresolved"],
    ["the bot's answer stood (resolved, assumed)", { status: "auto_resolved" as const }, null],
    ["the customer closed it, no person asked for", {}, null],
  ])("%s: %s", (_name, over, kind) => {
    expect(leftOpen(entry(over))).toBe(kind);
  });
});

describe("greeting a returning customer", () => {
  it("mentions the latest earlier conversation when it was left open within 7 days", () => {
    const handed = entry({ id: "older", handedOff: true, startedAt: new Date(NOW - 3 * DAY).toISOString(), updatedAt: new Date(NOW - 3 * DAY).toISOString() });
    expect(returningMention([handed], NOW)).toEqual({ kind: "handed_off", at: handed.updatedAt });
    // Only the latest counts: a settled conversation since then means nothing is said.
    expect(returningMention([handed, entry({ id: "newer", status: "auto_resolved" })], NOW)).toBeNull();
    expect(returningMention([entry({ handedOff: true, updatedAt: new Date(NOW - 7 * DAY - 1).toISOString() })], NOW)).toBeNull();
    expect(returningMention([], NOW)).toBeNull();
  });
});

describe("articles kept per conversation", () => {
  it("keeps each once, in the order first given, up to the limit", () => {
    const a = (n: number) => ({ articleId: `en:a${n}`, title: `A${n}` });
    expect(withArticles([a(1)], [a(2), a(1), a(3)])).toEqual([a(1), a(2), a(3)]);
    const many = Array.from({ length: 15 }, (_, i) => a(i));
    expect(withArticles([], many)).toEqual(many.slice(0, MAX_HISTORY_ARTICLES));
  });
});

describe("a customer's two indexes", () => {
  it("takes EU conversations from the EU index (which alone knows how they went) and the others from the main one, newest first", () => {
    const at = (days: number) => new Date(NOW - days * DAY).toISOString();
    const main = [entry({ id: "eu-1", startedAt: at(1), status: "open" }), entry({ id: "a", startedAt: at(3) }), entry({ id: "b", startedAt: at(0.5) })];
    const eu = [entry({ id: "eu-1", startedAt: at(1), status: "closed_by_agent", resolution: "resolved" }), entry({ id: "stray", startedAt: at(2) })];
    const merged = mergedHistory(main, eu, (id) => id.startsWith("eu-"));
    expect(merged.map((h) => [h.id, h.status])).toEqual([["b", "closed_by_customer"], ["eu-1", "closed_by_agent"], ["a", "closed_by_customer"]]);
    const many = Array.from({ length: 30 }, (_, i) => entry({ id: `c${i}`, startedAt: at(i) }));
    expect(mergedHistory(many, [], () => false)).toHaveLength(MAX_HISTORY);
  });
});

