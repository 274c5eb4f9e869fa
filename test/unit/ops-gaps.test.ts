import { describe, expect, it } from "vitest";
import { ArticleInputSchema, SLUG } from "../../src/kb/article.ts";
import { draftFromGap, GapClusters, type GapQuestion, type GapReason } from "../../src/ops/gaps.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const DAY = 24 * 3_600_000;

const q = (language: string, text: string, reason: GapReason = "no_answer", at = T): GapQuestion => ({ language, text, reason, at });

function clustered(questions: GapQuestion[]) {
  const g = new GapClusters();
  for (const x of questions) g.add(x);
  return g;
}

const english = [
  q("en", "How do I get a refund"),
  q("en", "change my password"),
  q("en", "refund please", "low_confidence"),
  q("en", "can I change my delivery address"),
  q("en", "my refund has not arrived yet", "not_helpful"),
  q("en", "reset password"),
  q("en", "change the shipping address on my order"),
  q("en", "when will my refund arrive"),
  q("en", "how to update delivery address"),
  q("en", "I forgot my password"),
];

describe("clustering unanswered questions into gaps", () => {
  it("puts paraphrases of one question together and keeps different topics apart", () => {
    const gaps = clustered(english).report();
    expect(gaps.map((g) => g.examples)).toEqual([
      ["How do I get a refund", "refund please", "my refund has not arrived yet", "when will my refund arrive"],
      ["change my password", "reset password", "I forgot my password"],
      ["can I change my delivery address", "change the shipping address on my order", "how to update delivery address"],
    ]);
    expect(gaps[0]).toMatchObject({ language: "en", count: 4, reasons: { no_answer: 2, low_confidence: 1, not_helpful: 1 } });
  });

  it("clusters Chinese questions through their words and character bigrams", () => {
    const gaps = clustered([q("zh", "怎么修改收货地址"), q("zh", "修改地址"), q("zh", "收货地址写错了"), q("zh", "发票怎么开")]).report();
    expect(gaps.map((g) => g.count)).toEqual([3, 1]);
    expect(gaps[0]!.examples).toContain("收货地址写错了");
  });

  it("never mixes languages, even for the same words", () => {
    const gaps = clustered([q("en", "refund status"), q("fr", "refund status"), q("en", "refund status please")]).report();
    expect(gaps.map((g) => [g.language, g.count])).toEqual([
      ["en", 2],
      ["fr", 1],
    ]);
  });

  it("ignores redaction placeholders, and skips a question with nothing left to cluster by", () => {
    const g = new GapClusters();
    const a = g.add(q("en", "[email] says my card was charged twice"));
    const b = g.add(q("en", "charged twice on my card <phone>"));
    expect(a).toBe(b);
    expect(g.add(q("en", "[name] [email]"))).toBeNull();
    expect(g.add(q("en", "how do I"))).toBeNull();
    expect(g.size).toBe(1);
  });

  it("counts every question but keeps examples distinct (case and punctuation aside) and at most five", () => {
    const g = new GapClusters();
    for (const text of ["Refund please", "refund please!", "REFUND, please", "refund now", "refund asap", "my refund", "refund status", "refund pls"]) g.add(q("en", text, "no_answer", T));
    const [gap] = g.report();
    expect(gap!.count).toBe(8);
    expect(gap!.examples).toEqual(["Refund please", "refund now", "refund asap", "my refund", "refund status"]);
  });

  it("tracks when a gap was first and last seen", () => {
    const g = new GapClusters();
    g.add(q("en", "refund please", "no_answer", T + 5_000));
    g.add(q("en", "refund status", "no_answer", T));
    g.add(q("en", "my refund", "no_answer", T + 9_000));
    expect(g.report()[0]).toMatchObject({ firstSeen: T, lastSeen: T + 9_000 });
  });
});

describe("gap ids", () => {
  it("are stable: the same questions give the same ids, and later questions do not change a gap's id", () => {
    const a = clustered(english);
    const b = clustered(english.slice(0, 4));
    const idsOfB = b.report().map((g) => g.id);
    for (const id of idsOfB) expect(a.get(id)).not.toBeNull();
    expect(idsOfB[0]).toMatch(/^gap_en_[0-9a-f]{16}$/);
  });

  it("survive a restart through JSON, and clustering carries on into the same gaps", () => {
    const g = clustered(english);
    const restored = GapClusters.fromJSON(JSON.parse(JSON.stringify(g.toJSON())));
    expect(restored.report()).toEqual(g.report());
    const id = restored.add(q("en", "refund still not arrived"));
    expect(id).toBe(g.report()[0]!.id);
  });
});

describe("bounded memory", () => {
  it("keeps at most maxGaps, evicting the least recently seen", () => {
    const g = new GapClusters({ maxGaps: 3 });
    const topics = ["refund", "password", "invoice", "shipping", "warranty"];
    topics.forEach((t, i) => g.add(q("en", t, "no_answer", T + i)));
    expect(g.size).toBe(3);
    g.add(q("en", "shipping", "no_answer", T + 10));
    g.add(q("en", "guarantee", "no_answer", T + 11));
    expect(g.report().flatMap((x) => x.examples).sort()).toEqual(["guarantee", "shipping", "warranty"]);
  });

  it("truncates long questions and drops gaps past retention", () => {
    const g = new GapClusters({ maxTextLength: 40 });
    g.add(q("en", `refund ${"x".repeat(500)}`, "no_answer", T));
    expect(g.report()[0]!.examples[0]!.length).toBeLessThanOrEqual(40);
    g.add(q("en", "password reset", "no_answer", T + 6 * DAY));
    g.prune(T + 7 * DAY + 1);
    expect(g.report().map((x) => x.examples[0])).toEqual(["password reset"]);
  });

  it("reports by language, since a time, and up to a limit, largest first", () => {
    const g = clustered([...english, q("zh", "修改地址", "no_answer", T + DAY)]);
    expect(g.report({ language: "zh" }).map((x) => x.language)).toEqual(["zh"]);
    expect(g.report({ since: T + 1 }).map((x) => x.language)).toEqual(["zh"]);
    expect(g.report({ limit: 2 }).map((x) => x.count)).toEqual([4, 3]);
  });
});

describe("where examples came from", () => {
  const A = "a".repeat(32);
  const B = "b".repeat(32);
  const from = (c: string, text: string, eu = false, reason: GapReason = "no_answer"): GapQuestion => ({ ...q("en", text, reason), conversation: c, eu });

  it("forgets an erased conversation's examples, with their share of the count and of the profile; a gap left with none goes", () => {
    const g = clustered([from(A, "telescope lens repair for Zebulon Quarry at 12 Mill Lane"), from(B, "repair my telescope lens", false, "not_helpful"), from(B, "telescope lens repair cost")]);
    const [gap] = g.report();
    expect(gap).toMatchObject({ count: 3, reasons: { no_answer: 2, not_helpful: 1 } });
    expect(g.forget(A)).toEqual({ changed: [gap!.id], removed: [] });
    const [after] = g.report();
    expect(after).toMatchObject({ count: 2, examples: ["repair my telescope lens", "telescope lens repair cost"], reasons: { no_answer: 1, not_helpful: 1 } });
    expect(JSON.stringify(g.toJSON())).not.toMatch(/zebulon|quarry|mill/i);
    expect(g.forget(A)).toEqual({ changed: [], removed: [] });
    expect(g.forget(B)).toEqual({ changed: [], removed: [gap!.id] });
    expect(g.size).toBe(0);
  });

  it("keeps the origin through JSON; examples saved before it was kept count as EU text in an EU region's object only", () => {
    const g = clustered([from(A, "telescope lens repair", true), from(B, "repair my telescope lens")]);
    const json = JSON.parse(JSON.stringify(g.toJSON()));
    expect(GapClusters.fromJSON(json).report()[0]!.draftable).toEqual(["repair my telescope lens"]);
    const legacy = json.map(({ samples: _s, draftable: _d, ...rest }: Record<string, unknown>) => rest);
    expect(GapClusters.fromJSON(legacy, {}, true).report()[0]!.draftable).toEqual([]);
    expect(GapClusters.fromJSON(legacy, {}, false).report()[0]!.draftable).toEqual(["telescope lens repair", "repair my telescope lens"]);
  });

  it("gives a draft no words from an EU conversation: not as title, not as questions", () => {
    const mixed = clustered([from(A, "telescope lens repair for Zebulon Quarry", true), from(A, "telescope lens repair", true), from(B, "repair my telescope lens please")]).report()[0]!;
    const draft = draftFromGap(mixed);
    expect(draft.questions).toEqual(["repair my telescope lens please"]);
    expect(draft.title).toBe("repair my telescope lens please");
    expect(JSON.stringify(draft)).not.toMatch(/zebulon/i);

    const euOnly = clustered([from(A, "telescope lens repair for Zebulon Quarry", true), from(B, "repair my telescope lens", true)]).report()[0]!;
    const neutral = draftFromGap(euOnly);
    expect(neutral).toMatchObject({ questions: [], title: "KB gap: 2 unanswered questions (write a title)", slug: `gap-${euOnly.id.slice(-16)}` });
    expect(JSON.stringify(neutral)).not.toMatch(/telescope|zebulon/i);
    const { gapId: _gapId, ...fields } = neutral;
    expect(ArticleInputSchema.safeParse({ ...fields, answer: "Written by an editor." }).success).toBe(true);
  });
});

describe("drafts from gaps", () => {
  it("suggests a slug and title from the most representative question, with the examples as questions", () => {
    const gap = clustered(english).report()[0]!;
    const draft = draftFromGap(gap);
    expect(draft).toMatchObject({ locale: "en", status: "draft", gapId: gap.id, questions: gap.examples, tags: ["kb-gap"] });
    expect(gap.examples).toContain(draft.title);
    expect(draft.slug).toMatch(SLUG);
    expect(draft.slug).toContain("refund");
  });

  it("gives a Chinese gap a valid slug and the zh-CN locale", () => {
    const gap = clustered([q("zh", "怎么修改收货地址"), q("zh", "修改地址")]).report()[0]!;
    const draft = draftFromGap(gap);
    expect(draft.slug).toMatch(/^gap-[0-9a-f]{16}$/);
    expect(draft.locale).toBe("zh-CN");
    expect(draft.title).toBe("怎么修改收货地址");
  });

  it("is accepted by the article schema once an editor writes the answer", () => {
    for (const gap of clustered([...english, q("zh", "修改地址")]).report()) {
      const { gapId: _gapId, ...fields } = draftFromGap(gap);
      expect(ArticleInputSchema.safeParse({ ...fields, answer: "Written by an editor." }).success).toBe(true);
    }
  });
});
