// A replica trains on at most MAX_LEARNED_PER_ARTICLE learned questions per article (the
// newest; src/kb/model/training-budget.ts), yet every learned question still gets its article
// asked word for word: the exact-question index holds them all. The real engine over libSQL.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReplica, type EvalReplica } from "../../scripts/eval/replica.ts";
import { DEFAULT_LEARN_SETTINGS } from "../../src/kb/learning/learned.ts";
import { teachLearned } from "../../src/kb/learning/questions.ts";
import { MAX_LEARNED_PER_ARTICLE } from "../../src/kb/model/training-budget.ts";
import { writeFaqKb } from "../support/faq-kb.ts";

let dir: string;
let replica: EvalReplica;
const taught = Array.from({ length: MAX_LEARNED_PER_ARTICLE + 10 }, (_, i) => `is the refund for parcel number ${i} on its way`);

beforeAll(async () => {
  dir = writeFaqKb("holdfast-budget-");
  replica = await buildReplica({ path: dir, options: {} });
  for (const text of taught) await teachLearned(replica.primary, { articleId: "en:refund-time", locale: "en", text, operatorId: "op-1" }, DEFAULT_LEARN_SETTINGS, Date.now());
  await replica.sync();
}, 120_000);

afterAll(() => {
  replica.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("learned questions beyond the training cap", () => {
  it("are still answered word for word, the oldest (left out of training) as well as the newest", async () => {
    for (const text of [taught[0]!, taught.at(-1)!]) {
      const retrieval = await replica.kb.retrieve(text, { language: "en", limit: 5, asked: text });
      expect(retrieval.exact).toBeTruthy();
      expect(retrieval.candidates[0]?.id).toBe("en:refund-time");
    }
  });
});
