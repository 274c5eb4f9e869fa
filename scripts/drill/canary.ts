// The canary drill (`npm run drill -- --variant canary`): simulated customers with known
// right answers (the demo KB's held-out questions) chat over HTTP as real ones do — they
// mark answers helpful or not by reading them, pick a suggested article when one is theirs,
// ask again in other words, ask for a person after two misses. A bad KB release (answers
// swapped between related articles) opens at 20%: the guard must roll it back by itself, and
// no stable conversation may ever get a candidate answer. Then a good release (a new article
// for questions that were off-topic) must be promoted. Reports the conversations the bad
// release reached and how long the guard took.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { client, type AdminCall } from "../admin-client.ts";
import { csvPairs, type Query } from "../eval/datasets.ts";
import { freePort, LOAD_TOOL_LIMITS, replicaStatus, startStack, warmReplicas } from "../stack.ts";
import { seededRandom as seeded } from "../../src/kb/model/classifier.ts";

const ADMIN_KEY = "drill-admin-key-0123456789abcdef";
const HELDOUT = resolve(import.meta.dirname, "../../kb/eval/demo-heldout.csv");

/** Related articles whose answers the bad release swaps (their questions are asked most). */
const SWAPS: Array<[string, string]> = [
  ["track-order", "delayed-delivery"],
  ["shipping-times", "shipping-costs"],
  ["refund-time", "refund-not-received"],
  ["payment-declined", "payment-methods"],
  ["exchange-item", "start-a-return"],
  ["change-order", "cancel-order"],
];

/** The good release: an article for weather questions customers asked and the KB could not answer. */
const WEATHER = {
  en: { title: "Does the weather delay deliveries?", answer: "Snow, storms or floods can delay deliveries by a day or two; your tracking page shows any delay. We never ship perishable items into extreme heat.", questions: ["what's the weather tomorrow", "is it going to snow this weekend", "will bad weather delay my parcel", "weather and deliveries"] },
  "zh-CN": { title: "天气会影响配送吗？", answer: "下雪、暴雨或洪水可能让配送延误一到两天，物流页面会显示延误信息。", questions: ["明天天气怎么样", "下周会降温吗", "天气不好会延误配送吗"] },
};

export interface CanaryOptions {
  /** Customers talking at once. */
  concurrency: number;
  percent: number;
  /** The guard of both releases. */
  minConversations: number;
  /**
   * The guard's chance of rolling back a release that is no worse (default 0.05). The good
   * release is no worse, so at the default about 3 drills in 100 would fail on a chance
   * rollback (seeded simulations like the drill's); at 0.01 under 1 in 100, and the bad
   * release is still caught after about as many conversations (docs/releases-kb.md).
   */
  alpha?: number;
  /**
   * The good release promotes at maxMinutes. The bad one is given until the drill gives up on
   * it (timeoutMs): its rollback must come from the sequential test, not from running out of time.
   */
  maxMinutes: number;
  /** Give up on a release that stays open this long (ms). */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface CanaryReport {
  bad: { state: string; closedBy: string | null; reason: string | null; exposed: number; stableConversations: number; detectionSeconds: number | null; warmSeconds: number };
  good: { state: string; closedBy: string | null; reason: string | null; exposed: number; stableConversations: number; seconds: number | null; newAnswered: number };
  conversations: number;
  /** Replies to stable conversations that came from a candidate: must be zero. */
  candidateToStable: number;
  ok: boolean;
}

interface Reply {
  seq: number;
  text: string;
  meta: { decision?: string; kbVersion?: number; release?: { id: string; arm: "canary" | "stable" }; citations?: Array<{ articleId: string }>; suggestions?: Array<{ articleId: string; title: string }> };
}

interface Release {
  id: string;
  state: string;
  candidateVersion: number;
  openedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  reason: string | null;
}

/** What the customers judge answers by: each article's right answer, and what a candidate says instead. */
interface Truth {
  right: Map<string, string>;
  /** Candidate answers that differ from stable (the bad release's swapped texts), by article. */
  candidate: Map<string, string>;
  candidateVersion: number | null;
}

const localeOf = (text: string) => (/\p{Script=Han}/u.test(text) ? "zh-CN" : "en");
const pick = <T>(items: T[], random: () => number) => items[Math.floor(random() * items.length)]!;

export async function runCanaryDrill(options: CanaryOptions): Promise<CanaryReport> {
  const log = options.log ?? (() => {});
  const stateDir = mkdtempSync(join(tmpdir(), "holdfast-canary-"));
  const stack = await startStack({ port: await freePort(), stateDir, seed: true, vars: { TOKEN_SECRET: "drill-secret-0123456789abcdef", ADMIN_API_KEY: ADMIN_KEY, ...LOAD_TOOL_LIMITS } });
  try {
    const admin = client(stack.url, ADMIN_KEY);
    await warmReplicas(stack.url);
    const queries = csvPairs(HELDOUT);
    const truth: Truth = { right: new Map(), candidate: new Map(), candidateVersion: null };
    for (const q of queries) if (q.label) truth.right.set(`${localeOf(q.text)}:${q.label}`, "");
    for (const id of truth.right.keys()) truth.right.set(id, (await admin<{ answer: string }>("GET", `/v1/admin/kb/articles/${encodeURIComponent(id)}`)).answer);
    const totals = { conversations: 0, candidateToStable: 0 };

    // The bad release: answers swapped between related articles, in both languages.
    for (const [a, b] of SWAPS) {
      for (const locale of ["en", "zh-CN"]) {
        const [idA, idB] = [`${locale}:${a}`, `${locale}:${b}`];
        const [textA, textB] = [truth.right.get(idA), truth.right.get(idB)];
        if (!textA || !textB) continue;
        await admin("PATCH", `/v1/admin/kb/articles/${encodeURIComponent(idA)}`, { answer: textB });
        await admin("PATCH", `/v1/admin/kb/articles/${encodeURIComponent(idB)}`, { answer: textA });
        truth.candidate.set(idA, textB).set(idB, textA);
      }
    }
    const swapped = new Set([...truth.candidate.keys()]);
    const badQueries = queries.filter((q) => q.label && swapped.has(`${localeOf(q.text)}:${q.label}`));
    // Many customers ask about what changed, as after a change that matters; the rest anything.
    const bad = await phase(admin, stack.url, { ...options, name: "bad", asked: [...badQueries, ...badQueries, ...queries.filter((q) => q.label)] }, truth, totals, log);

    // The good release: the swapped answers are discarded, one new article is added.
    await admin("DELETE", "/v1/admin/kb/releases/pending");
    truth.candidate.clear();
    const weather: Query[] = [];
    for (const [locale, a] of Object.entries(WEATHER)) {
      await admin("POST", "/v1/admin/kb/articles", { slug: "weather-deliveries", locale, ...a, status: "published" });
      truth.right.set(`${locale}:weather-deliveries`, a.answer);
      weather.push(...a.questions.slice(0, 2).map((text) => ({ text, label: "weather-deliveries" })));
    }
    const good = await phase(admin, stack.url, { ...options, name: "good", asked: [...Array.from({ length: 12 }, () => weather).flat(), ...queries.filter((q) => q.label)], added: new Set(["weather-deliveries"]) }, truth, totals, log);

    const badOk = bad.release.state === "rolled_back" && bad.release.closedBy === "system:guard";
    const goodOk = good.release.state === "promoted" && good.release.closedBy === "system:guard";
    const ms = (r: Release) => (r.closedAt ? (Date.parse(r.closedAt) - Date.parse(r.openedAt)) / 1000 : null);
    return {
      bad: { state: bad.release.state, closedBy: bad.release.closedBy, reason: bad.release.reason, exposed: bad.exposed, stableConversations: bad.stable, detectionSeconds: ms(bad.release), warmSeconds: bad.warmSeconds },
      good: { state: good.release.state, closedBy: good.release.closedBy, reason: good.release.reason, exposed: good.exposed, stableConversations: good.stable, seconds: ms(good.release), newAnswered: good.newAnswered },
      conversations: totals.conversations,
      candidateToStable: totals.candidateToStable,
      ok: badOk && goodOk && good.newAnswered > 0 && totals.candidateToStable === 0,
    };
  } finally {
    await stack.stop().catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

interface PhaseOptions extends CanaryOptions {
  name: string;
  asked: Query[];
  /** Articles only the candidate has. */
  added?: Set<string>;
}

/** Opens a release of what is pending and lets customers talk until the guard closes it. */
async function phase(admin: AdminCall, base: string, o: PhaseOptions, truth: Truth, totals: { conversations: number; candidateToStable: number }, log: (line: string) => void) {
  const opened = await admin<Release>("POST", "/v1/admin/kb/releases", { percent: o.percent, guard: { minConversations: o.minConversations, maxMinutes: o.name === "bad" ? o.timeoutMs / 60_000 : o.maxMinutes, ...(o.alpha !== undefined && { alpha: o.alpha }) } });
  truth.candidateVersion = opened.candidateVersion;
  log(`${o.name} release ${opened.id} open at ${o.percent}%`);
  const opening = Date.now();
  await candidateReady(base, opened.id, o.timeoutMs);
  const warmSeconds = (Date.now() - opening) / 1000;
  log(`${o.name} release: candidate replica ready after ${warmSeconds} s`);
  const arms = { canary: 0, stable: 0 };
  /** Canary conversations answered right from an article only the candidate has. */
  let newAnswered = 0;
  let release = opened;
  const deadline = Date.now() + o.timeoutMs;
  const random = seeded(o.name === "bad" ? 7 : 11);
  const closed = () => release.state !== "canary" || Date.now() > deadline;
  const customers = Array.from({ length: o.concurrency }, async () => {
    while (!closed()) {
      const asked = pick(o.asked, random);
      const { arm, answered } = await customer(base, asked, o.asked, random, truth, totals);
      if (arm && release.state === "canary") arms[arm]++;
      if (arm === "canary" && answered && o.added?.has(asked.label ?? "")) newAnswered++;
      totals.conversations++;
    }
  });
  const watcher = (async () => {
    while (!closed()) {
      await new Promise((r) => setTimeout(r, 500));
      release = await admin<Release>("GET", `/v1/admin/kb/releases/${opened.id}`);
    }
  })();
  await Promise.all([...customers, watcher]);
  log(`${o.name} release ${release.state}${release.closedBy ? ` by ${release.closedBy}` : ""}: ${release.reason ?? "timed out"}`);
  return { release, exposed: arms.canary, stable: arms.stable, newAnswered, warmSeconds };
}

/**
 * Waits until this region's candidate replica has the candidate and has trained on it (its dev
 * status is a readiness probe), as warmReplicas does for the stable ones before the drill: an
 * untrained candidate ranks by full-text search alone, and in a release of seconds the guard
 * counts that against it (a quick drill's good release was rolled back for it).
 */
async function candidateReady(base: string, release: string, timeoutMs: number): Promise<void> {
  const { region } = (await (await fetch(`${base}/readyz`)).json()) as { region: string };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await replicaStatus(base, region, release);
    if (r.kbVersion > 0 && r.kbVersion === r.primaryVersion && r.sync.state === "idle" && r.models.length > 0 && r.training.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the candidate replica of ${region} did not sync and train within ${timeoutMs / 1000}s`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/**
 * One customer's conversation about one question: judged by reading each reply. Returns the
 * arm it was in (null when no release was open at its start) and whether it got its answer.
 */
async function customer(base: string, first: Query, all: Query[], random: () => number, truth: Truth, totals: { candidateToStable: number }): Promise<{ arm: "canary" | "stable" | null; answered: boolean }> {
  const locale = localeOf(first.text);
  const created = await (await fetch(`${base}/v1/conversations`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locale }) })).json() as { id: string; token: string };
  const call = (path: string, body: unknown) => fetch(`${base}/v1/conversations/${created.id}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${created.token}` }, body: JSON.stringify(body) });
  const ask = async (text: string, choice?: { articleId: string; inReplyTo: number }): Promise<Reply> => {
    const res = await call("/messages", { text, clientMessageId: crypto.randomUUID(), ...(choice && { choice }) });
    const reply = ((await res.json()) as { reply: Reply }).reply;
    // A stable conversation must never read what only the candidate says.
    const cited = reply.meta.citations?.[0]?.articleId;
    const fromCandidate = (cited && truth.candidate.get(cited) === reply.text) || (truth.candidateVersion !== null && reply.meta.kbVersion === truth.candidateVersion);
    if (reply.meta.release?.arm !== "canary" && fromCandidate) totals.candidateToStable++;
    return reply;
  };
  const right = first.label ? `${locale}:${first.label}` : null;
  const isRight = (r: Reply) => right !== null && r.meta.decision === "answer" && r.meta.citations?.[0]?.articleId === right && r.text === truth.right.get(right);
  const wordings = all.filter((q) => q.label === first.label && localeOf(q.text) === locale && q.text !== first.text);
  let reply = await ask(first.text);
  const arm = reply.meta.release?.arm ?? null;
  for (let misses = 0; ; ) {
    if (isRight(reply)) {
      await call(`/messages/${reply.seq}/feedback`, { helpful: true });
      return { arm, answered: true };
    }
    const offered = reply.meta.suggestions?.find((s) => s.articleId === right);
    if (offered) {
      reply = await ask(offered.title, { articleId: offered.articleId, inReplyTo: reply.seq });
      continue;
    }
    if (reply.meta.decision === "answer") await call(`/messages/${reply.seq}/feedback`, { helpful: false });
    if (!right || ++misses >= 2) {
      // Off-topic asked and not answered is as expected; two misses, and a person is asked for.
      if (right) await call("/handoff", {});
      return { arm, answered: false };
    }
    reply = await ask(wordings.length ? pick(wordings, random).text : `${first.text}?`);
  }
}
