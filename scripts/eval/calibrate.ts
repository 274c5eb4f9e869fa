// `npm run eval -- --calibrate`: fits the prior every KB's own tuning leans on (see
// src/kb/model/tuning.ts), with the very procedure a replica runs on its KB, here on
// validation data held out of the training splits (BANKING77: every tenth training
// question; CLINC150: its val and oos_val splits) plus the generic off-topic messages.
// Test splits are never read.
import { writeFileSync } from "node:fs";
import { confidenceFeatures } from "../../src/answer/confidence.ts";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { planReply } from "../../src/answer/plan.ts";
import { intentSlug } from "../../src/kb/import/formats.ts";
import { OFF_TOPIC } from "../../src/kb/model/off-topic.ts";
import { chooseTuning, DEFAULT_MAX_WRONG, PRIOR_TUNING, probabilities, type TuningPoint } from "../../src/kb/model/tuning.ts";
import { loadDataset, type Query } from "./datasets.ts";
import { buildReplica } from "./replica.ts";

async function points(train: { path: string; options: object }, queries: Query[]): Promise<TuningPoint[]> {
  const replica = await buildReplica(train as Parameters<typeof buildReplica>[0]);
  const out: TuningPoint[] = [];
  const generic = OFF_TOPIC.en!.map((text) => ({ text, label: null, generic: true }));
  for (const q of [...queries.map((q) => ({ ...q, generic: false })), ...generic]) {
    const plan = await planReply(q.text, "en", INITIAL_DIALOGUE, replica.kb);
    const f = confidenceFeatures(plan.retrieval);
    if (!f || f.kind !== "model") continue;
    const slugs = plan.retrieval.candidates.map((c) => c.slug);
    const gold = q.label === null ? null : intentSlug(q.label);
    const kind = gold ? "in" : q.generic ? "off_topic" : "left_out";
    out.push({ top: f.top, margin: f.margin, coverage: f.coverage, similarity: f.similarity, agree: f.agree, kind, correct: gold !== null && slugs[0] === gold, inTop3: gold !== null && slugs.slice(0, 3).includes(gold), weight: 1 });
  }
  replica.close();
  return out;
}

export async function calibrate(outFile?: string): Promise<void> {
  const banking = loadDataset("banking77").validation!;
  const clinc = loadDataset("clinc150");
  console.log("Building validation replicas and scoring held-out questions…");
  const data = [...(await points(banking.train, banking.queries)), ...(await points(clinc.validation!.train, clinc.validation!.queries))];
  // CLINC150's out-of-scope validation questions stand for the questions a KB cannot answer.
  const tuning = chooseTuning(data, PRIOR_TUNING, { dataWeight: 1, maxWrong: DEFAULT_MAX_WRONG });
  console.log(`Prior from ${data.length} validation questions (paste into PRIOR_TUNING in src/kb/model/tuning.ts):`);
  console.log(JSON.stringify({ calibration: tuning.calibration, answerAt: tuning.answerAt, clarifyAt: tuning.clarifyAt, minMargin: tuning.minMargin }));
  console.table(tuning.basis.expected);
  const conf = (p: TuningPoint) => probabilities(tuning, p).confidence;
  const rate = (kind: TuningPoint["kind"], test: (p: TuningPoint) => boolean) => {
    const of = data.filter((p) => p.kind === kind);
    return `${((of.filter(test).length / Math.max(1, of.length)) * 100).toFixed(1)}%`;
  };
  const rows: Record<string, Record<string, string>> = {};
  for (let t = 0.3; t < 0.99; t += 0.05) {
    rows[t.toFixed(2)] = {
      "in-scope right": rate("in", (p) => conf(p) >= t && p.correct),
      "in-scope wrong": rate("in", (p) => conf(p) >= t && !p.correct),
      "CLINC oos answered": rate("left_out", (p) => conf(p) >= t),
      "generic answered": rate("off_topic", (p) => conf(p) >= t),
    };
  }
  console.table(rows);
  if (outFile) writeFileSync(outFile, JSON.stringify(tuning, null, 2));
}
