// A second small KB for the eval, besides the demo: a company-sized subset of CLINC150
// (`--dataset clinc150-small`), so that what the per-KB threshold fit does is seen on a KB
// it was not designed beside. A seeded choice of `intents` intents, the first `examples`
// training queries of each as the KB's example questions; the test is their test queries,
// plus off-topic ones: CLINC150's out-of-scope test queries and test queries of intents the
// subset left out (the hard kind: in the same domains, just not in this KB). `--validation`
// takes CLINC150's validation queries instead, to develop on without touching the test split.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { seededRandom } from "../../src/kb/model/classifier.ts";
import { ROOT } from "../stack.ts";
import type { Dataset, Query } from "./datasets.ts";

export interface FewShotOptions {
  intents: number;
  examples: number;
  seed: number;
  /** Test on CLINC150's validation queries instead of its test ones: for developing without touching the test split. */
  validation?: boolean;
}

export const FEW_SHOT_DEFAULTS: FewShotOptions = { intents: 60, examples: 5, seed: 7 };
/** Out-of-scope test queries taken, and every how-many-th query of a left-out intent. */
const OOS_QUERIES = 300;
const LEFT_OUT_EVERY = 15;

export function clincSmall(options: FewShotOptions): Dataset {
  const data = JSON.parse(readFileSync(resolve(ROOT, "data/clinc150/data_full.json"), "utf8")) as Record<string, [string, string][]>;
  const intents = [...new Set(data.train!.map(([, label]) => label))].sort();
  if (options.intents < 2 || options.intents > intents.length) throw new Error(`--intents must be 2-${intents.length}`);
  if (options.examples < 1) throw new Error("--examples must be at least 1");
  const random = seededRandom(options.seed);
  const chosen = new Set(intents.map((i) => [random(), i] as const).sort((a, b) => a[0] - b[0]).slice(0, options.intents).map(([, i]) => i));
  const taken = new Map<string, number>();
  const train = data.train!.filter(([, label]) => {
    if (!chosen.has(label)) return false;
    const n = (taken.get(label) ?? 0) + 1;
    taken.set(label, n);
    return n <= options.examples;
  });
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const path = join(mkdtempSync(join(tmpdir(), "holdfast-few-shot-")), "train.csv");
  writeFileSync(path, ["text,label", ...train.map(([text, label]) => `${quote(text)},${label}`)].join("\n") + "\n");
  const [split, oos] = options.validation ? ["val", "oos_val"] : ["test", "oos_test"];
  const leftOut = data[split!]!.filter(([, label]) => !chosen.has(label)).filter((_, i) => i % LEFT_OUT_EVERY === 0);
  const test: Query[] = [
    ...data[split!]!.filter(([, label]) => chosen.has(label)).map(([text, label]) => ({ text, label })),
    ...data[oos!]!.slice(0, OOS_QUERIES).map(([text]) => ({ text, label: null })),
    ...leftOut.map(([text]) => ({ text, label: null })),
  ];
  // The chosen intents' other training queries: traffic for --replay, never in the test.
  const traffic = data.train!.filter(([, label]) => chosen.has(label)).filter(([text, label]) => !train.some(([t, l]) => t === text && l === label)).map(([text, label]) => ({ text, label }));
  return { traffic, name: `clinc150-small (${options.intents} intents × ${options.examples}, seed ${options.seed}${options.validation ? ", validation" : ""})`, train: { path, options: { dataset: "custom" } }, test };
}
