// Scores the redactor against the shared table: spans as [kind, substring], matched exactly
// (a span that covers too much or too little counts as a false positive and a miss).
import { findPii, PII_KINDS, type PiiKind } from "../../src/privacy/redact.ts";
import type { Labelled, PiiCase } from "./pii-cases.ts";

/** What the redactor finds in a text, in the table's notation. */
export function labelled(text: string): Array<[PiiKind, string]> {
  return findPii(text).map((s) => [s.kind, text.slice(s.start, s.end)]);
}

export interface KindScore {
  kind: PiiKind | "overall";
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

const key = ([kind, text]: readonly [PiiKind, string]) => `${kind}\u0000${text}`;

/** Per-kind and overall precision and recall over the table. */
export function score(cases: readonly PiiCase[]): KindScore[] {
  const counts = new Map<PiiKind, { tp: number; fp: number; fn: number }>(PII_KINDS.map((k) => [k, { tp: 0, fp: 0, fn: 0 }]));
  for (const c of cases) {
    const truth = multiset(c.pii);
    for (const item of labelled(c.text)) {
      const k = key(item);
      const n = truth.get(k) ?? 0;
      if (n > 0) {
        truth.set(k, n - 1);
        counts.get(item[0])!.tp++;
      } else counts.get(item[0])!.fp++;
    }
    for (const [k, n] of truth) if (n > 0) counts.get(k.split("\u0000")[0] as PiiKind)!.fn += n;
  }
  const rows = [...counts].map(([kind, c]) => row(kind, c.tp, c.fp, c.fn));
  const total = [...counts.values()].reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), { tp: 0, fp: 0, fn: 0 });
  return [...rows, row("overall", total.tp, total.fp, total.fn)];
}

function multiset(items: Labelled): Map<string, number> {
  const m = new Map<string, number>();
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
  return m;
}

function row(kind: PiiKind | "overall", tp: number, fp: number, fn: number): KindScore {
  // With nothing predicted (or nothing to find) the ratio is vacuous; report 1.
  return { kind, truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1 };
}
