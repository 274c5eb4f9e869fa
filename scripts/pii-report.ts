// `npm run pii:report`: precision and recall of the PII redactor per kind over the shared
// table (test/support/pii-cases.ts), the rows it knowingly gets wrong, and what a redact()
// call costs on typical 200-character chat messages and on 4000-character worst cases.
import { redact } from "../src/privacy/redact.ts";
import { ALL_CASES } from "../test/support/pii-cases.ts";
import { labelled, score } from "../test/support/pii-score.ts";

/** Typical messages of about 200 characters: one English, one Chinese, one without PII. */
const TYPICAL = [
  "Hi, I ordered a blue jacket last week (order ORD-2024-000123) and it still hasn't arrived. You can reach me at li.wei@example.com or +44 20 7946 0958. Could you check the tracking for me please? Thanks!",
  "你好，我上周买了两件外套，订单号 20240315123456，到现在还没发货。我的手机是13812345678，麻烦帮我查一下物流，谢谢！另外请问可以改成顺丰快递吗？如果要补运费的话我可以付，价格大概是¥29.90左右。我周一到周五白天都在公司，下午三点以后可以收货，周末在家，地址还是原来那个，不用改。麻烦尽快回复，谢谢你们，辛苦了！如果今天发不了货，也请告诉我大概哪天能发。",
  "Hello! I'd like to know whether the 2024 model of the rain jacket comes in size M, and if it does, how long delivery to Lyon would take. I saw it on sale for €129.00 yesterday but the page now shows €149.",
];

const HOSTILE = [
  "1".repeat(4000),
  "1 2-".repeat(1000),
  "a.".repeat(1000) + "@" + "b.".repeat(999),
  "a:".repeat(2000),
  "+" + "9".repeat(3999),
  "password: ".repeat(400),
  // A secret keyword before a run of blanks: 25 s when the secret rule backtracked cubically.
  "密码" + " ".repeat(3990) + "中",
];

/** Median microseconds per call, timed in batches so the timer's resolution does not matter. */
function medianMicros(text: string, batches = 200, perBatch = 100): number {
  for (let i = 0; i < 2_000; i++) redact(text); // warm up the JIT and the regex compiler
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const started = performance.now();
    for (let i = 0; i < perBatch; i++) redact(text);
    samples.push(((performance.now() - started) * 1000) / perBatch);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

function main(): void {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  console.log(`PII redaction over ${ALL_CASES.length} table rows\n`);
  console.table(
    Object.fromEntries(
      score(ALL_CASES).map((s) => [s.kind, { TP: s.truePositives, FP: s.falsePositives, FN: s.falseNegatives, precision: pct(s.precision), recall: pct(s.recall) }]),
    ),
  );
  console.log("\nKnown trade-offs (rows where the redactor differs from the truth):");
  for (const c of ALL_CASES.filter((c) => c.limitation)) {
    console.log(`  ${JSON.stringify(c.text)} → ${JSON.stringify(labelled(c.text))}: ${c.limitation!.why}`);
  }
  console.log("\nCost per redact() call (median):");
  console.table(
    Object.fromEntries([
      ...TYPICAL.map((t, i) => [`typical #${i + 1} (${t.length} chars)`, { "µs": medianMicros(t).toFixed(2) }]),
      ...HOSTILE.map((t, i) => [`worst case #${i + 1} (${t.length} chars)`, { "µs": medianMicros(t, 20, 10).toFixed(1) }]),
    ]),
  );
}

main();
