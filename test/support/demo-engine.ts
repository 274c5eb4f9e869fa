// The demo KB's articles answered by the real retrieval, classifier, exact-question index
// and tuning, with a plain in-memory stand-in for full-text search (no FTS5 outside a
// Durable Object or libSQL): for unit tests of what the pipeline decides on a real KB.
import { readSource } from "../../scripts/kb/source.ts";
import type { KbPort } from "../../src/answer/plan.ts";
import { articleId } from "../../src/kb/article.ts";
import { exactIndex } from "../../src/kb/exact-match.ts";
import { trainWithCentroids } from "../../src/kb/model/classifier.ts";
import type { KbModel } from "../../src/kb/model/kb-model.ts";
import { trainingSet } from "../../src/kb/model/training.ts";
import { fitTuning } from "../../src/kb/model/tuning.ts";
import { retrieveCandidates } from "../../src/kb/retrieval.ts";
import type { SearchHit } from "../../src/kb/search.ts";
import { languageOf, queryTokens, tokenize } from "../../src/kb/text/tokens.ts";

export async function demoKb(options: { tune?: boolean } = {}): Promise<{ kb: KbPort; hits: SearchHit[]; models: Map<string, KbModel> }> {
  const hits: SearchHit[] = readSource("kb/demo", {}).map((a) => ({ id: articleId(a.slug, a.locale), slug: a.slug, locale: a.locale, title: a.title, answer: a.answer, tags: a.tags, questions: a.questions, version: 1, score: 0 }));
  const models = new Map<string, KbModel>();
  for (const language of new Set(hits.map((h) => languageOf(h.locale)))) {
    const articles = hits.filter((h) => languageOf(h.locale) === language);
    const set = trainingSet(articles);
    const trained = await trainWithCentroids(set.classes, set.examples);
    const classifier = trained?.classifier ?? null;
    models.set(language, { classifier, centroids: trained?.centroids ?? null, exact: exactIndex(articles), tuning: options.tune && classifier ? await fitTuning(set, { language }) : null });
  }
  // Token overlap over title, questions and answer: enough to stand in for BM25 here.
  const tokens = new Map(hits.map((h) => [h.id, tokenize(`${h.title} ${h.questions.join(" ")} ${h.answer}`)]));
  const search = (query: string, locale: string, limit: number) => {
    const wanted = new Set(queryTokens(query));
    return hits
      .filter((h) => languageOf(h.locale) === languageOf(locale))
      .map((h) => ({ ...h, score: tokens.get(h.id)!.filter((t) => wanted.has(t)).length }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  };
  const kb: KbPort = {
    retrieve: async (query, options) => ({
      language: options.language,
      ...retrieveCandidates(query, options, { search, model: (l) => models.get(l) ?? null, article: (id) => hits.find((h) => h.id === id) ?? null }),
      kbVersion: 1,
      lagSeconds: 0,
      stale: false,
    }),
  };
  return { kb, hits, models };
}
