// The evaluation datasets: where their training split is (imported through the KB import
// path) and their labelled test queries (plus out-of-scope queries for CLINC150).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseCsv } from "../../src/kb/import/csv.ts";
import type { ParseOptions } from "../../src/kb/import/formats.ts";
import { ROOT } from "../stack.ts";
import { clincSmall, FEW_SHOT_DEFAULTS, type FewShotOptions } from "./few-shot.ts";

export interface Query {
  text: string;
  /** The intent label; null for out-of-scope queries. */
  label: string | null;
}

export interface Dataset {
  name: string;
  /** The file `kb import` reads, and how. */
  train: { path: string; options: ParseOptions };
  test: Query[];
  /** Questions customers ask beyond the KB's own, never in the test: `--replay` sends them (scripts/eval/replay.ts). */
  traffic?: Query[];
  /** Held out of training, for calibration: never the test split. */
  validation?: { train: { path: string; options: ParseOptions }; queries: Query[] };
}

const DATA = resolve(ROOT, "data");

/** `text,label` rows; an empty label marks an out-of-scope query. */
export function csvPairs(path: string): Query[] {
  return parseCsv(readFileSync(path, "utf8"), path)
    .slice(1)
    .map((r) => ({ text: r.fields[0]!, label: r.fields[1]?.trim() || null }));
}

/** BANKING77 has no validation split: every tenth training question is held out as one. */
function bankingValidation(train: string, options: ParseOptions): NonNullable<Dataset["validation"]> {
  const all = csvPairs(train);
  const path = join(mkdtempSync(join(tmpdir(), "holdfast-validation-")), "train.csv");
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  writeFileSync(path, ["text,label", ...all.filter((_, i) => i % 10 !== 0).map((q) => `${quote(q.text)},${q.label}`)].join("\n"));
  return { train: { path, options }, queries: all.filter((_, i) => i % 10 === 0) };
}

export function loadDataset(name: string, files: { train?: string; test?: string } = {}, fewShot: Partial<FewShotOptions> = {}): Dataset {
  if (name === "clinc150-small") return clincSmall({ ...FEW_SHOT_DEFAULTS, ...fewShot });
  if (name === "banking77") {
    const train = resolve(DATA, "banking77/train.csv");
    const options = { dataset: "banking77" };
    return { name, train: { path: train, options }, test: csvPairs(resolve(DATA, "banking77/test.csv")), validation: bankingValidation(train, options) };
  }
  if (name === "clinc150") {
    const path = resolve(DATA, "clinc150/data_full.json");
    const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, [string, string][]>;
    const queries = (split: string, oos: boolean) => data[split]!.map(([text, label]) => ({ text, label: oos ? null : label }));
    return {
      name,
      train: { path, options: { split: "train", dataset: "clinc150" } },
      test: [...queries("test", false), ...queries("oos_test", true)],
      validation: { train: { path, options: { split: "train", dataset: "clinc150" } }, queries: [...queries("val", false), ...queries("oos_val", true)] },
    };
  }
  if (name === "custom") {
    if (!files.train || !files.test) throw new Error("--train FILE and --test FILE are both needed");
    return { name: basename(files.test).replace(/\.csv$/i, ""), train: { path: resolve(files.train), options: { dataset: "custom" } }, test: csvPairs(resolve(files.test)) };
  }
  throw new Error(`unknown dataset ${name}: use banking77, clinc150, clinc150-small, or --train FILE --test FILE`);
}
