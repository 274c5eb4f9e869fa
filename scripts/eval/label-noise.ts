// `--label-noise p`: a stand-in for a large KB whose example questions are partly filed
// under the wrong article (the held-back Chinese intent set has such). A seeded share p of
// the example questions moves to another article of the same locale, chosen at random;
// titles and answers stay. Only the training split is touched: the test stays clean.
import type { ArticleInput } from "../../src/kb/article.ts";
import { seededRandom } from "../../src/kb/model/classifier.ts";

export function flipLabels(articles: ArticleInput[], share: number, seed = 7): ArticleInput[] {
  if (!(share > 0)) return articles;
  if (share >= 1) throw new Error("--label-noise must be below 1");
  const random = seededRandom(seed);
  const out = articles.map((a) => ({ ...a, questions: [] as string[] }));
  const byLocale = new Map<string, number[]>();
  articles.forEach((a, i) => byLocale.set(a.locale, [...(byLocale.get(a.locale) ?? []), i]));
  articles.forEach((a, i) => {
    const peers = byLocale.get(a.locale)!;
    for (const q of a.questions) {
      let to = i;
      if (peers.length > 1 && random() < share) while (to === i) to = peers[Math.floor(random() * peers.length)]!;
      out[to]!.questions.push(q);
    }
  });
  return out;
}
