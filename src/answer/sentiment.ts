// Lexicon sentiment for English and Chinese: each message gets a score in [-1, 1], and the
// conversation keeps a running trend. Negation flips the next sentiment word; intensifiers
// strengthen it; exclamation marks and shouting add weight to negative messages.

const EN: Record<string, number> = Object.fromEntries(
  Object.entries({
    "3": "great excellent amazing perfect love wonderful fantastic awesome brilliant superb",
    "2": "good nice helpful happy glad thanks thank pleased quick easy fast resolved works working solved appreciate",
    "1": "ok okay fine fair sure",
    "-1": "problem issue wrong late slow confused confusing unclear difficult hard missing lost broken damaged",
    "-2": "bad annoyed annoying frustrated frustrating disappointed disappointing upset unhappy poor fail failed failing error charged twice cancel waiting never",
    "-3": "terrible awful horrible worst useless ridiculous unacceptable angry furious hate disgusting scam pathetic incompetent rubbish garbage stupid",
  }).flatMap(([score, words]) => words.split(" ").map((w) => [w, Number(score)])),
);

const ZH: Array<[string, number]> = Object.entries({
  "3": "非常好 太好了 完美 喜欢 满意 超棒 优秀 赞",
  "2": "很好 不错 谢谢 感谢 方便 及时 快 解决了 开心 高兴 有用 帮助",
  "1": "好的 可以 行 还行",
  "-1": "问题 错误 慢 迟 不清楚 困难 丢失 损坏 坏了 没收到",
  "-2": "失望 不满 生气 烦 着急 难过 差 不行 失败 重复扣款 一直等 还没",
  "-3": "太差 垃圾 骗子 投诉 愤怒 气死 恶心 离谱 受够了 差评 没用 坑人 骗人",
}).flatMap(([score, words]) => words.split(" ").map((w): [string, number] => [w, Number(score)]));

const NEGATORS_EN = new Set(["not", "no", "never", "dont", "don't", "doesnt", "doesn't", "didnt", "didn't", "isnt", "isn't", "wasnt", "wasn't", "cant", "can't", "cannot", "wont", "won't"]);
const INTENSIFIERS_EN = new Set(["very", "really", "so", "extremely", "totally", "absolutely", "completely", "super"]);

/** Sentiment of one message, from -1 (very negative) to 1 (very positive). */
export function sentimentOf(text: string): number {
  const t = text.normalize("NFKC");
  let total = 0;
  let hits = 0;
  const words = t.toLowerCase().match(/[a-z']+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const value = EN[words[i]!];
    if (value === undefined) continue;
    const window = words.slice(Math.max(0, i - 3), i);
    let v = value;
    if (window.some((w) => NEGATORS_EN.has(w))) v = -v * 0.75;
    if (window.some((w) => INTENSIFIERS_EN.has(w))) v *= 1.5;
    total += v;
    hits++;
  }
  for (const [word, value] of ZH) {
    let from = t.indexOf(word);
    while (from !== -1) {
      const before = t.slice(Math.max(0, from - 2), from);
      let v = value;
      if (/[不没别]/.test(before) && !word.startsWith("不") && !word.startsWith("没")) v = -v * 0.75;
      if (/[很太非超真]/.test(before)) v *= 1.5;
      total += v;
      hits++;
      from = t.indexOf(word, from + word.length);
    }
  }
  if (!hits) return 0;
  // Several sentiment words add up, with diminishing weight.
  let score = total / (3 + 2 * Math.sqrt(hits));
  if (score < 0 && (/!{2,}|！{2,}/.test(t) || /\b[A-Z]{4,}\b/.test(t))) score *= 1.3;
  return Math.max(-1, Math.min(1, score));
}

/** The conversation's sentiment so far: a moving average that weighs recent messages more. */
export interface SentimentTrend {
  average: number;
  messages: number;
  last: number;
}

export const NEUTRAL: SentimentTrend = { average: 0, messages: 0, last: 0 };

export function nextTrend(trend: SentimentTrend, score: number): SentimentTrend {
  const average = trend.messages === 0 ? score : 0.5 * trend.average + 0.5 * score;
  return { average, messages: trend.messages + 1, last: score };
}

/** Negative enough to offer a human: a sustained negative trend, or one very negative message. */
export function isNegative(trend: SentimentTrend, threshold = -0.35): boolean {
  return (trend.messages >= 2 && trend.average <= threshold) || trend.last <= -0.75;
}
