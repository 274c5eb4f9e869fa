import { describe, expect, it } from "vitest";
import { normalize } from "../../src/kb/text/normalize.ts";
import { stem } from "../../src/kb/text/stem.ts";
import { queryTokens, tokenize } from "../../src/kb/text/tokens.ts";

describe("normalisation", () => {
  it("folds full-width characters, case and spacing", () => {
    expect(normalize("  ＲＥＦＵＮＤ　１２３ ")).toBe("refund 123");
    expect(normalize("退款？")).toBe("退款?");
  });
});

describe("stemming", () => {
  it.each([
    ["refunds", "refund"],
    ["refunded", "refund"],
    ["refunding", "refund"],
    ["shipping", "ship"],
    ["shipped", "ship"],
    ["deliveries", "delivery"],
    ["addresses", "address"],
    ["charges", "charg"],
    ["charged", "charg"],
    ["descaling", "descal"],
    ["descale", "descal"],
    ["cancelled", "cancel"],
    ["status", "status"],
    ["pass", "pass"],
    ["box", "box"],
  ])("%s → %s", (word, expected) => {
    expect(stem(word)).toBe(expected);
  });
});

describe("tokens", () => {
  it("drops English stop words and stems the rest", () => {
    expect(tokenize("Where is my refund?")).toEqual(["refund"]);
  });

  it("indexes a Chinese two-character word as a bigram so that it always matches", () => {
    const tokens = tokenize("我想申请退款");
    expect(tokens).toContain("退款");
    expect(tokens).toContain("申请");
    expect(tokens).not.toContain("我");
  });

  it("keeps longer Chinese words from the segmenter", () => {
    expect(tokenize("如何修改收货地址")).toEqual(expect.arrayContaining(["收货", "地址", "修改"]));
  });

  it("handles mixed scripts", () => {
    expect(queryTokens("iPhone 退款 refund")).toEqual(expect.arrayContaining(["iphon", "退款", "refund"]));
  });

  it("caps the number of query tokens, keeping the longest", () => {
    const tokens = queryTokens("alpha bravo charlie delta echo foxtrot golf hotel", 3);
    expect(tokens).toHaveLength(3);
    expect(tokens).toContain("foxtrot");
    expect(tokens).toContain("charli");
  });
});

describe("Traditional Chinese", () => {
  it("folds to Simplified so that 訂單 and 退貨 match 订单 and 退货", () => {
    expect(normalize("我的訂單什麼時候發貨？")).toBe("我的订单什么时候发货?");
    expect(tokenize("退貨")).toEqual(tokenize("退货"));
  });
});
