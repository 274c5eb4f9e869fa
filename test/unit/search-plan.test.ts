import { describe, expect, it } from "vitest";
import { matchPlan, POSTINGS_BUDGET } from "../../src/kb/search.ts";

const docs = (table: Record<string, number>) => (tokens: string[]) => new Map(tokens.filter((t) => t in table).map((t) => [t, table[t]!]));

describe("search plan", () => {
  it("keeps every known token of a query on a small KB", () => {
    expect(matchPlan("refund card payment", ["en"], docs({ en_refund: 3, en_card: 10, en_payment: 8 }))).toEqual(['"en_refund" OR "en_payment" OR "en_card"']);
  });

  it("leaves out tokens no article contains", () => {
    expect(matchPlan("refund xyzzy", ["en"], docs({ en_refund: 3 }))).toEqual(['"en_refund"']);
  });

  it("leaves out the most common tokens of a large KB once the postings budget is spent", () => {
    const plan = matchPlan("refund card payment", ["en"], docs({ en_refund: 900, en_payment: 1_000, en_card: 40_000 }));
    expect(plan).toEqual(['"en_refund" OR "en_payment"']);
  });

  it("requires the two rarest tokens together when every token is common", () => {
    const big = POSTINGS_BUDGET + 1;
    expect(matchPlan("card payment", ["en"], docs({ en_card: big * 5, en_payment: big }))).toEqual(['"en_payment" AND "en_card"', '"en_payment"']);
  });

  it("has nothing to search when no token is known or the query has none", () => {
    expect(matchPlan("xyzzy", ["en"], docs({}))).toEqual([]);
    expect(matchPlan("the and of ?", ["en"], docs({ en_the: 5 }))).toEqual([]);
  });

  it("cannot be steered by FTS5 syntax in the query", () => {
    expect(matchPlan('refund" OR NEAR(*', ["en"], docs({ en_refund: 1, en_or: 1, en_near: 1 }))).toEqual(['"en_refund" OR "en_near"']);
  });

  it("qualifies tokens by each language searched", () => {
    expect(matchPlan("退款 refund", ["en", "zh"], docs({ zh_退款: 2, en_refund: 3 }))).toEqual(['"zh_退款" OR "en_refund"']);
  });
});
