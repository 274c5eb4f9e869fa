// `npm run eval -- --dataset banking77|clinc150 [--json FILE]`, `--dataset clinc150-small
// [--intents 60 --examples 5 --seed 7]` (scripts/eval/few-shot.ts), or `--train A.csv --test B.csv`:
// builds a KB from the training split through the KB import path, lets a replica sync it
// and train its classifier, then runs every test query through the same retrieval and
// policy code the ConversationDO uses, and reports accuracy, answering and latency.
// `--embeddings-url URL [--embeddings-model M] [--embeddings-key K]`: semantic signals
// through that OpenAI-compatible endpoint (README: Semantic signals), measured beside the
// lexical path on the same replica. `--reranker-url URL [--reranker-model M] [--reranker-key K]`:
// the reranker through that /v1/rerank endpoint, measured after them (combinable). `--memory`:
// the replica training's peak memory and the model it then holds (scripts/eval/memory.ts).
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { INITIAL_DIALOGUE } from "../src/answer/dialogue.ts";
import { planReply } from "../src/answer/plan.ts";
import { intentSlug } from "../src/kb/import/formats.ts";
import { loadDataset, type Query } from "./eval/datasets.ts";
import { outcomeOf, report, type Outcome, type Report } from "./eval/metrics.ts";
import { calibrate } from "./eval/calibrate.ts";
import { buildReplica, type EvalReplica } from "./eval/replica.ts";
import type { Tuning } from "../src/kb/model/tuning.ts";
import { readConfig } from "../src/config.ts";
import { replay, replaySplit } from "./eval/replay.ts";
import { MemorySampler } from "./eval/memory.ts";
import type { KbPort } from "../src/answer/plan.ts";
import { OpenAiCompatibleEmbedder } from "../src/platform/embeddings/openai-compatible.ts";
import { SYNC_EMBED_TIMEOUT_MS, timedEmbedder } from "../src/platform/embeddings/providers.ts";
import { OpenAiCompatibleReranker } from "../src/platform/reranker/openai-compatible.ts";
import { TRAIN_RERANK_TIMEOUT_MS, timedReranker } from "../src/platform/reranker/providers.ts";

export async function runQueries(replica: { kb: KbPort }, queries: Query[], locale = "en", onProgress?: (done: number) => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const [i, q] of queries.entries()) {
    const started = performance.now();
    const plan = await planReply(q.text, locale, INITIAL_DIALOGUE, replica.kb);
    outcomes.push(outcomeOf(plan, q.label === null ? null : intentSlug(q.label), performance.now() - started));
    if (i % 250 === 0) onProgress?.(i);
  }
  return outcomes;
}

function printReport(name: string, r: Report): void {
  const pct = (v: number | null) => (v === null ? "n/a" : `${(v * 100).toFixed(2)}%`);
  console.table({
    [name]: {
      queries: `${r.inScope} + ${r.outOfScope} off-topic`,
      "top-1": pct(r.top1),
      "answered right": pct(r.answeredRight),
      "answered wrong": pct(r.answeredWrong),
      "right offered when unanswered": pct(r.offeredRight),
      "in-scope told off-topic": pct(r.inScopeFalseRejection),
      "OOS recall": pct(r.oosRecall),
      "OOS answered": pct(r.oosAnswered),
      "p50 ms": r.latencyP50Ms.toFixed(3),
      "p99 ms": r.latencyP99Ms.toFixed(3),
    },
  });
}

/** What each language's tuning chose, and on what evidence. */
function printTunings(tunings: Record<string, Tuning | null>, title = "Thresholds fitted per language (cross-validation over the KB's example questions; calibration blended with the prior by data weight):"): void {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const rows: Record<string, Record<string, string | number>> = {};
  for (const [language, t] of Object.entries(tunings)) {
    if (!t) {
      rows[language] = { "chosen answer/clarify/margin": "defaults (no classifier)" };
      continue;
    }
    const b = t.basis;
    rows[language] = {
      "held-out questions": `${b.questions} (${b.folds} folds)`,
      "left-out + off-topic": `${b.leftOutQuestions} + ${b.offTopic}`,
      "CV top-1 / top-3": `${pct(b.top1)} / ${pct(b.top3)}`,
      "data weight": b.dataWeight,
      "budget / held-out allowed (bound)": `${pct(b.maxWrong)} / ${pct(b.allowedWrong)} (${pct(b.wrongBound)})`,
      "label noise (suspect questions)": `${pct(b.labelNoise)} (${b.suspectQuestions ?? 0})`,
      "chosen answer/clarify/margin": `${t.answerAt} / ${t.clarifyAt} / ${t.minMargin}`,
      "CV right / wrong": `${pct(b.expected.answeredRight)} / ${pct(b.expected.answeredWrong)}`,
      "CV offered right": pct(b.expected.offeredRight),
      "CV off-topic answered / rejected": `${pct(b.expected.offTopicAnswered)} / ${pct(b.expected.offTopicRejected)}`,
    };
  }
  console.log(title);
  console.table(rows);
  for (const [language, t] of Object.entries(tunings)) if (t) console.log(`  ${language} calibration: ${JSON.stringify(t.calibration)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dataset: { type: "string" }, train: { type: "string" }, test: { type: "string" }, json: { type: "string" }, calibrate: { type: "boolean" }, intents: { type: "string" }, examples: { type: "string" }, seed: { type: "string" }, validation: { type: "boolean" }, "label-noise": { type: "string" }, "max-wrong": { type: "string" }, "no-label-check": { type: "boolean" }, "embeddings-url": { type: "string" }, "embeddings-model": { type: "string" }, "embeddings-key": { type: "string" }, "reranker-url": { type: "string" }, "reranker-model": { type: "string" }, "reranker-key": { type: "string" }, memory: { type: "boolean" }, replay: { type: "string" }, "replay-split": { type: "string" }, noise: { type: "string" }, attacker: { type: "string" } } });
  if (values.calibrate) return calibrate(values.json);
  const count = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const fewShot = { intents: count(values.intents), examples: count(values.examples), seed: count(values.seed), validation: values.validation };
  const loaded = loadDataset(values.dataset ?? (values.train ? "custom" : "banking77"), { train: values.train, test: values.test }, Object.fromEntries(Object.entries(fewShot).filter(([, v]) => v !== undefined)));
  // --validation on a whole dataset: train without its validation questions, test on them.
  const validation = values.validation && loaded.validation;
  if (values.validation && !validation && values.dataset !== "clinc150-small") throw new Error(`${loaded.name} has no validation split`);
  const dataset = validation ? { name: `${loaded.name} (validation)`, train: validation.train, test: validation.queries } : loaded;
  const labelNoise = count(values["label-noise"]) ?? 0;
  if (!(labelNoise >= 0 && labelNoise < 1)) throw new Error("--label-noise must be a share from 0 to below 1");
  const name = labelNoise ? `${dataset.name}, ${labelNoise * 100}% of training labels flipped` : dataset.name;
  process.stdout.write(`${name}: importing the training split, syncing a replica, training… `);
  const started = performance.now();
  const maxWrong = count(values["max-wrong"]);
  if (maxWrong !== undefined && !(maxWrong > 0 && maxWrong < 1)) throw new Error("--max-wrong must be a share between 0 and 1 (ANSWER_MAX_WRONG)");
  const url = values["embeddings-url"];
  const embedder = url ? timedEmbedder(new OpenAiCompatibleEmbedder({ baseUrl: url, model: values["embeddings-model"] ?? "", apiKey: values["embeddings-key"] }), SYNC_EMBED_TIMEOUT_MS) : undefined;
  const rerankUrl = values["reranker-url"];
  const reranker = rerankUrl ? timedReranker(new OpenAiCompatibleReranker({ baseUrl: rerankUrl, model: values["reranker-model"] ?? "", apiKey: values["reranker-key"] }), TRAIN_RERANK_TIMEOUT_MS) : undefined;
  const memory = values.memory ? new MemorySampler() : null;
  const replica = await buildReplica(dataset.train, { labelNoise, noiseSeed: fewShot.seed, maxWrong, checkLabels: !values["no-label-check"], embedder, reranker, ...(memory && { pause: memory.pause }) });
  const extras = [embedder && `${replica.vectors} with vectors in ${embedder.space}`, reranker && `${replica.rerankScores} training pairs reranked in ${reranker.space}`].filter(Boolean);
  process.stdout.write(`${replica.articles} articles in ${((performance.now() - started) / 1000).toFixed(1)} s${extras.length ? ` (${extras.join("; ")})` : ""}\n`);
  if (memory) console.log(`Training memory (heap + array buffers): peak ${memory.peak().toFixed(1)} MB; the trained models then held: ${memory.now().toFixed(1)} MB. Retraining while serving them needs about both.`);
  if (values.replay !== undefined || values["replay-split"] !== undefined) {
    // Learning from confirmations (scripts/eval/replay.ts), by the deployment's LEARN_* settings.
    const options = { perArticle: count(values.replay), split: count(values["replay-split"]), noise: count(values.noise) ?? 0, attacker: count(values.attacker) ?? 0, checkpoints: 4, seed: count(values.seed) ?? 7, settings: readConfig(process.env).learn };
    const { traffic, test } = replaySplit(dataset, options);
    console.log(`Replay: ${traffic.length} traffic questions, ${test.length} test queries, noise ${options.noise}, attacker ${options.attacker}`);
    const result = await replay(replica, traffic, test, options, (r, q) => runQueries(r, q), (c) => {
      console.log(`  checkpoint: ${JSON.stringify(c)}`);
      for (const [language, t] of Object.entries(replica.tunings)) if (t) console.log(`    ${language}: answer/margin ${t.answerAt} / ${t.minMargin}, held-out ${t.basis.questions} top-1 ${t.basis.top1}, allowed ${t.basis.allowedWrong} (bound ${t.basis.wrongBound}), CV right/wrong ${t.basis.expected.answeredRight} / ${t.basis.expected.answeredWrong}`);
    });
    printTunings(replica.tunings);
    printReport(dataset.name, result.report);
    console.table(result.checkpoints);
    if (values.json) writeFileSync(values.json, JSON.stringify({ dataset: dataset.name, date: new Date().toISOString(), ...result.report, tunings: replica.tunings, replay: { ...options, ...result.traffic, checkpoints: result.checkpoints } }, null, 2));
    replica.close();
    return;
  }
  printTunings(replica.tunings);
  const run = async (kb: KbPort) => {
    const outcomes = await runQueries({ kb }, dataset.test, "en", (i) => process.stdout.write(`\r  queries: ${i}/${dataset.test.length}`));
    process.stdout.write(`\r  queries: ${dataset.test.length}/${dataset.test.length}\n`);
    return report(outcomes);
  };
  const result = await run(replica.kb);
  printReport(name, result);
  let semantic: Report | undefined;
  if (replica.semanticKb) {
    const fitted = Object.fromEntries(Object.entries(replica.tunings).map(([l, t]) => [l, t?.semantic ?? null]));
    printTunings(fitted, "With the semantic signal (each held-out question scored with its own vector; `fusion` in the calibration line):");
    for (const [language, t] of Object.entries(fitted)) if (t) console.log(`  ${language} fusion weight: ${t.fusion}${t.unhelpful ? " (not used: cross-validation answers clearly fewer rightly with it)" : ""}`);
    // The test queries are embedded ahead in batches: latency below is retrieval's, not the endpoint's.
    await replica.prefetch(dataset.test.map((q) => q.text));
    semantic = await run(replica.semanticKb);
    printReport(`${name}, semantic`, semantic);
  }
  let reranked: Report | undefined;
  if (replica.rerankKb) {
    const fitted = Object.fromEntries(Object.entries(replica.tunings).map(([l, t]) => [l, t?.rerank ?? null]));
    printTunings(fitted, "With the rerank signal (held-out questions' best articles reranked at training; `rerank` in the calibration line):");
    for (const [language, t] of Object.entries(fitted)) if (t) console.log(`  ${language} rerank weight: ${t.weight}${t.unhelpful ? " (not used: cross-validation answers clearly fewer rightly with it)" : ""}`);
    reranked = await run(replica.rerankKb);
    printReport(`${name}, reranked${replica.semanticKb ? " (with the semantic signal)" : ""}`, reranked);
  }
  replica.close();
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ dataset: name, date: new Date().toISOString(), ...result, tunings: replica.tunings, ...(semantic && { semantic }), ...(reranked && { reranked }) }, null, 2));
    console.log(`Wrote ${values.json}`);
  }
}

if (import.meta.main) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
