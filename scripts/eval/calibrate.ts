// `npm run eval -- --calibrate`: fits the confidence calibration and the policy thresholds
// on validation data held out of the training splits (BANKING77: every tenth training
// question; CLINC150: its val and oos_val splits). Test splits are never read.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { confidenceFeatures } from "../../src/answer/confidence.ts";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { planReply } from "../../src/answer/plan.ts";
import { parseCsv } from "../../src/kb/import/csv.ts";
import { intentSlug } from "../../src/kb/import/formats.ts";
import { fitLogistic } from "../../src/kb/model/logistic.ts";
import { loadDataset, type Query } from "./datasets.ts";
import { buildReplica } from "./replica.ts";

interface Point {
  x: [number, number, number];
  correct: boolean;
  oos: boolean;
}

async function points(train: { path: string; options: object }, queries: Query[]): Promise<Point[]> {
  const replica = await buildReplica(train as Parameters<typeof buildReplica>[0]);
  const out: Point[] = [];
  for (const q of queries) {
    const plan = await planReply(q.text, "en", INITIAL_DIALOGUE, replica.kb);
    const f = confidenceFeatures(plan.retrieval);
    if (!f || f.kind !== "model") continue;
    const top = plan.retrieval.candidates[0]?.slug;
    out.push({ x: [f.top, f.margin, f.agree], correct: q.label !== null && top === intentSlug(q.label), oos: q.label === null });
  }
  replica.close();
  return out;
}


export async function calibrate(outFile?: string): Promise<void> {
  const banking = loadDataset("banking77");
  const all = parseCsv(readFileSync(banking.train.path, "utf8"), banking.train.path)
    .slice(1)
    .map((r) => ({ text: r.fields[0]!, label: r.fields[1]! }));
  const dir = mkdtempSync(join(tmpdir(), "holdfast-calibrate-"));
  const trainPath = join(dir, "train.csv");
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  writeFileSync(trainPath, ["text,label", ...all.filter((_, i) => i % 10 !== 0).map((q) => `${quote(q.text)},${q.label}`)].join("\n"));
  const heldOut = all.filter((_, i) => i % 10 === 0);
  const clinc = loadDataset("clinc150");
  console.log("Building validation replicas and scoring held-out questions…");
  const data = [...(await points({ path: trainPath, options: banking.train.options }, heldOut)), ...(await points(clinc.validation!.train, clinc.validation!.queries))];
  const w = fitLogistic(data.map((p) => ({ x: p.x, y: p.correct })), 4_000, 0.5, 1e-4);
  const conf = (p: Point) => 1 / (1 + Math.exp(-(w[0]! + w[1]! * p.x[0] + w[2]! * p.x[1] + w[3]! * p.x[2])));
  const inScope = data.filter((p) => !p.oos);
  const oos = data.filter((p) => p.oos);
  const rows2: Array<Record<string, string>> = [];
  for (let t = 0.3; t <= 0.951; t += 0.05) {
    const answered = inScope.filter((p) => conf(p) >= t);
    rows2.push({
      threshold: t.toFixed(2),
      "answered rate": ((answered.length / inScope.length) * 100).toFixed(1),
      "answered accuracy": ((answered.filter((p) => p.correct).length / Math.max(1, answered.length)) * 100).toFixed(2),
      "OOS below (recall)": ((oos.filter((p) => conf(p) < t).length / Math.max(1, oos.length)) * 100).toFixed(1),
      "in-scope below": ((inScope.filter((p) => conf(p) < t).length / inScope.length) * 100).toFixed(1),
    });
  }
  console.log(`Calibration (bias, top, margin, agree): ${w.map((v) => v.toFixed(2)).join(", ")} from ${data.length} validation questions`);
  console.table(rows2);
  if (outFile) writeFileSync(outFile, JSON.stringify({ weights: w, thresholds: rows2 }, null, 2));
}
