import { describe, expect, it } from "vitest";
import { decide, DEFAULT_POLICY, leftUnanswered, type PolicyInput } from "../../src/answer/policy.ts";
import { replyText } from "../../src/answer/reply-text.ts";
import type { Candidate } from "../../src/kb/retrieval.ts";

const article = (slug: string, bm25: number | null = 5): Candidate => ({
  id: `en:${slug}`,
  slug,
  locale: "en",
  title: slug,
  answer: `${slug} answer`,
  tags: [],
  questions: [],
  version: 1,
  bm25,
  decision: 0.5,
});

const base: PolicyInput = {
  kind: "question",
  negativeSentiment: false,
  failedAnswers: 0,
  handoffOffered: false,
  candidates: [article("refund-time"), article("refund-method"), article("partial-refund"), article("refund-not-received")],
  confidence: 0.9,
};

describe("policy", () => {
  it.each<[string, Partial<PolicyInput>, string, Record<string, unknown>?]>([
    ["a confident question is answered with the best article", {}, "answer", { article: { slug: "refund-time" } }],
    ["a middling question gets up to three suggestions", { confidence: 0.65 }, "clarify"],
    ["a question nothing matches is out of scope", { confidence: 0.1 }, "out_of_scope"],
    ["an explicit request for a person is always offered one", { kind: "human", confidence: 0.1 }, "offer_handoff", { reason: "requested" }],
    ["a request for a person keeps a confident article alongside", { kind: "human" }, "offer_handoff", { reason: "requested", article: { slug: "refund-time" } }],
    ["a negative trend offers a person, still answering what it can", { negativeSentiment: true }, "offer_handoff", { reason: "negative_sentiment", article: { slug: "refund-time" } }],
    ["a negative trend is not offered a person twice in a row", { negativeSentiment: true, handoffOffered: true }, "answer"],
    ["a second unanswered question in a row offers a person", { confidence: 0.65, failedAnswers: 1 }, "offer_handoff", { reason: "repeated_failures" }],
    ["repeated failures after an offer go back to clarifying", { confidence: 0.65, failedAnswers: 3, handoffOffered: true }, "clarify"],
    ["a greeting gets small talk", { kind: "greeting", confidence: 0.2 }, "smalltalk", { kind: "greeting" }],
    ["thanks get small talk", { kind: "thanks", confidence: 0.2 }, "smalltalk", { kind: "thanks" }],
    ["a KB article that confidently answers small talk wins", { kind: "chitchat", confidence: 0.95 }, "answer"],
    ["an empty KB leaves a question out of scope", { candidates: [], confidence: 0 }, "out_of_scope"],
  ])("%s", (_name, input, type, fields) => {
    const decision = decide({ ...base, ...input });
    expect(decision.type).toBe(type);
    if (fields) expect(decision).toMatchObject(fields);
  });

  it("offers exactly the configured number of suggestions", () => {
    const decision = decide({ ...base, confidence: 0.65 });
    expect(decision.type === "clarify" && decision.suggestions.map((c) => c.slug)).toEqual(["refund-time", "refund-method", "partial-refund"]);
  });

  it("lists the best candidates with an out-of-scope question, those only the classifier found too", () => {
    const decision = decide({ ...base, confidence: 0.1, candidates: [article("a", null), article("b", 3), article("c"), article("d")] });
    expect(decision.type === "out_of_scope" && decision.related.map((c) => c.slug)).toEqual(["a", "b", "c"]);
  });

  it("uses its configured thresholds", () => {
    expect(decide({ ...base, confidence: 0.5 }, { ...DEFAULT_POLICY, answerAt: 0.4 }).type).toBe("answer");
    expect(decide({ ...base, confidence: 0.5 }, { ...DEFAULT_POLICY, clarifyAt: 0.45 }).type).toBe("clarify");
  });

  it("counts clarifications, out-of-scope replies and bare handoff offers as unanswered", () => {
    expect(leftUnanswered(decide({ ...base }))).toBe(false);
    expect(leftUnanswered(decide({ ...base, confidence: 0.65 }))).toBe(true);
    expect(leftUnanswered(decide({ ...base, confidence: 0.1 }))).toBe(true);
    expect(leftUnanswered(decide({ ...base, kind: "human", confidence: 0.1 }))).toBe(true);
  });
});

describe("reply wording", () => {
  const suggestions = [article("refund-time"), article("refund-method")];

  it.each([
    ["en", "Did you mean one of these?"],
    ["zh", "您是想问以下哪个问题？"],
  ])("a clarification asks which one was meant (%s), listing the choices", (language, question) => {
    const text = replyText({ type: "clarify", suggestions, confidence: 0.4 }, language);
    expect(text.startsWith(question)).toBe(true);
    expect(text).toContain("• refund-time");
    expect(text).not.toMatch(/Sorry|抱歉/);
  });

  it("apologises that it can only help with its topics only when the question is off-topic", () => {
    expect(replyText({ type: "out_of_scope", confidence: 0.05, related: [] }, "en")).toContain("I can only help with");
    expect(replyText({ type: "out_of_scope", confidence: 0.05, related: [] }, "zh")).toContain("我只能解答");
  });

  it("clarifies rather than apologising whenever the confidence reaches the clarify threshold", () => {
    for (const confidence of [0.6, 0.65, 0.74]) expect(decide({ ...base, confidence }).type).toBe("clarify");
    expect(decide({ ...base, confidence: 0.59 }).type).toBe("out_of_scope");
  });
});
