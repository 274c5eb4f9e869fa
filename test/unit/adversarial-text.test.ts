// Adversarial 4,000-character chat texts through every stage that reads customer text with
// regular expressions: normalisation, redaction, tokenising, message kind and sentiment.
// Judged without a clock: every regex a stage runs must be safe by recheck's verdict, and
// the regex work a stage does (calls, and characters scanned forward) must grow linearly
// from 2,000 to 4,000 characters.
import { describe, expect, it } from "vitest";
import { understandMessage } from "../../src/answer/message-kind.ts";
import { sentimentOf } from "../../src/answer/sentiment.ts";
import { seededRandom } from "../../src/kb/model/classifier.ts";
import { normalize } from "../../src/kb/text/normalize.ts";
import { tokenize } from "../../src/kb/text/tokens.ts";
import { redact } from "../../src/privacy/redact.ts";
import { verdictLine, verdictsOf } from "../support/regex-verdict.ts";

const STAGES: Record<string, (text: string) => unknown> = {
  normalize,
  redact,
  tokenize,
  understandMessage,
  sentimentOf,
};

/** Regex work while `run` runs: every pattern executed, exec calls, characters scanned. */
interface Work {
  patterns: Map<string, { source: string; flags: string }>;
  calls: number;
  scanned: number;
}

/**
 * Counts regex work by wrapping RegExp.prototype.exec, which test, replace, match, matchAll,
 * split and search all go through once it is no longer the built-in. `scanned` is what an
 * exec reads going forward (from where it starts to the end of its match, or of the text
 * when nothing matches): rescanning loops show in it; backtracking inside one exec does not,
 * which is what recheck's verdict on each pattern is for.
 */
function measure(run: () => void): Work {
  const work: Work = { patterns: new Map(), calls: 0, scanned: 0 };
  const exec = RegExp.prototype.exec;
  RegExp.prototype.exec = function (this: RegExp, input: string) {
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const m = exec.call(this, input);
    work.patterns.set(`/${this.source}/${this.flags}`, { source: this.source, flags: this.flags });
    work.calls++;
    work.scanned += m ? m.index + m[0].length - from : Math.max(0, String(input).length - from);
    return m;
  };
  try {
    run();
  } finally {
    RegExp.prototype.exec = exec;
  }
  return work;
}

/** Linear work doubles with the text; 2.5× leaves room for work that does not scale with it. */
function grewFasterThanLinear(small: Work, big: Work): boolean {
  return big.scanned > 2.5 * small.scanned + 64 || big.calls > 2.5 * small.calls + 8;
}

/** `unit` repeated to exactly `n` characters, after `head` and before `tail`. */
function fill(head: string, unit: string, tail: string, n: number): string {
  const body = unit.repeat(Math.ceil(Math.max(0, n - head.length - tail.length) / unit.length));
  return head + body.slice(0, Math.max(0, n - head.length - tail.length)) + tail;
}

const BLANKS = [" ", "\t", "\u3000", "\u00a0", "\n", " \t", "\r\n"];
/** Keywords the patterns start from: secrets, id and version context, greetings, follow-ups. */
const HEADS = ["密码", "验证码是", "口令为", "password", "password is", "pin", "order #", "订单号", "版本号", "version:", "Bearer", "token=", "hi", "你好", "thanks", "bye", "what about", "and", "那么", "#", "+", "a@", ""];
const TAILS = ["中", "x", "?", "1", "", "!", "\u0000", ":"];
const PUNCT = ["=", "-", "/", "!", ".", "?", ",", ":", ";", "{", "<", "[", "@", "+", "(", "#", "*", "_", "'", "！", "。", "{{", "[{", "!?", ". "];
const SCRIPTS = ["a中", "中a", "1中", "中 ", "é中", "aا", "中。", "a.", "Ωя", "中1a", "ｱ中", "가a"];
const DIGITS = ["1", "1 ", "1-", "12.", "+1", "1,", "0", "9 9-", "1:", "1a"];
const FRAGMENTS = ["密码", "是", "为", ":", "=", " ", "\t", "\u3000", "order", "#", "号", "version", "1", "23", "-", ".", "@", "a", "中", "?", "!", "thanks", "not", "很", "不", "差", "Bearer ", "token=", "http://", "hi ", "那么", "呢", "\n"];

/** The attack families, each a text of `n` characters; random ones from a fixed seed. */
function attacks(n: number): Array<[string, string]> {
  const next = seededRandom(18);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const out: Array<[string, string]> = [];
  for (const head of HEADS) for (const blank of BLANKS) out.push([`${JSON.stringify(head)} then ${JSON.stringify(blank)}s`, fill(head, blank, pick(TAILS), n)]);
  for (const p of PUNCT) out.push([`${JSON.stringify(p)} repeated`, fill("", p, "x", n)], [`${JSON.stringify(p)} repeated after a word`, fill("see ", p, "", n)]);
  for (const s of SCRIPTS) out.push([`${JSON.stringify(s)} alternating`, fill("", s, "", n)]);
  for (const d of DIGITS) out.push([`digits ${JSON.stringify(d)}`, fill(pick(["", "+", "order ", "密码", "card "]), d, pick(TAILS), n)]);
  for (let i = 0; i < 20; i++) {
    // 2,000 random characters, repeated to n: the longer text says what the shorter one
    // says, twice, so that it takes the same branches (a negative score, say) more often.
    let text = "";
    while (text.length < 2_000) text += pick(FRAGMENTS);
    out.push([`mixture #${i + 1}`, fill("", text.slice(0, 2_000), "", n)]);
  }
  return out;
}

describe("adversarial 4,000-character texts", () => {
  const long = attacks(4_000);
  const half = attacks(2_000);

  it("are 4,000 characters each, the chat's longest message", () => {
    expect(long.length).toBeGreaterThan(200);
    for (const [name, text] of long) expect(text.length, name).toBe(4_000);
  });

  it("are measured: the exec wrapper sees the patterns the stages run", () => {
    const work = measure(() => redact("密码 x1234"));
    expect([...work.patterns.values()].some((p) => p.source.startsWith("(?:密码|"))).toBe(true);
    expect(work.calls).toBeGreaterThan(5);
  });

  it("are measured: a loop that re-reads the rest of the text from every 10th character shows", () => {
    const rescan = (text: string) => {
      for (let i = 0; i < text.length; i += 10) /\d/.test(text.slice(i));
    };
    expect(grewFasterThanLinear(measure(() => rescan("x".repeat(2_000))), measure(() => rescan("x".repeat(4_000))))).toBe(true);
    expect(grewFasterThanLinear(measure(() => /\d/.test("x".repeat(2_000))), measure(() => /\d/.test("x".repeat(4_000))))).toBe(false);
  });

  it.each(Object.keys(STAGES))("cost %s regex work that grows linearly with the text (2,000 → 4,000 characters)", (stage) => {
    const run = STAGES[stage]!;
    const superLinear: string[] = [];
    for (let i = 0; i < long.length; i++) {
      const [name, text] = long[i]!;
      const big = measure(() => run(text));
      const small = measure(() => run(half[i]![1]));
      if (grewFasterThanLinear(small, big)) {
        superLinear.push(`${name}: ${small.calls} → ${big.calls} execs, ${small.scanned} → ${big.scanned} characters scanned`);
      }
    }
    expect(superLinear).toEqual([]);
  }, 120_000);

  it(
    "run only regular expressions that recheck calls safe",
    async () => {
      const patterns = new Map<string, { source: string; flags: string; stage: string }>();
      for (const [stage, run] of Object.entries(STAGES)) {
        for (const [, text] of long) for (const [key, p] of measure(() => run(text)).patterns) patterns.set(key, { ...p, stage });
      }
      const verdicts = await verdictsOf([...patterns.values()]);
      expect(verdicts.filter(([, d]) => d.status !== "safe").map(([p, d]) => verdictLine(`${p.stage}:`, d))).toEqual([]);
    },
    900_000,
  );
});
