// `npm run eval -- --replay N [--replay-split 0.5] [--noise p] [--attacker N]`: learning from
// confirmations, measured. After the KB is trained, simulated customers send traffic
// questions (a split the test never sees) through the same retrieval and policy the
// ConversationDO uses; each is its own client and conversation. One picks the right article
// when a reply offers it, marks a right answer helpful and a wrong one not helpful; `--noise
// p` makes that share pick a wrong suggestion instead, and `--attacker N` adds one client who
// picks wrong suggestions N times. Their votes go through the production writer and rules
// (src/kb/learning) into a real libSQL primary; between checkpoints the replica syncs by
// version cursor and trains again, and each checkpoint runs the whole test.
//
// Traffic model: each traffic question is asked by 1 to 3 customers (uniformly, seeded) at
// times spread over 30 days, all sends in a seeded random order. Customers' wordings recur in
// real traffic; CLINC150's and BANKING77's crowd-written paraphrases never do, and a question
// nobody else asks can never be confirmed by a second client.
import type { Plan } from "../../src/answer/plan.ts";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { planReply } from "../../src/answer/plan.ts";
import { intentSlug } from "../../src/kb/import/formats.ts";
import type { LearnSettings } from "../../src/kb/learning/learned.ts";
import { recordVote, type VoteInput } from "../../src/kb/learning/questions.ts";
import { seededRandom } from "../../src/kb/model/classifier.ts";
import { shuffled } from "../../src/kb/model/cross-validation.ts";
import type { Candidate } from "../../src/kb/retrieval.ts";
import { learnedQuestions } from "../../src/kb/schema.ts";
import { redact } from "../../src/privacy/redact.ts";
import { count, eq } from "drizzle-orm";
import type { Dataset, Query } from "./datasets.ts";
import { report, type Outcome, type Report } from "./metrics.ts";
import type { EvalReplica } from "./replica.ts";

export interface ReplayOptions {
  /** Traffic questions per article (all of the traffic when absent). */
  perArticle?: number;
  /** Share of the test CSV used as traffic (the first part of it, seeded-shuffled); the rest is the test. */
  split?: number;
  noise: number;
  attacker: number;
  checkpoints: number;
  seed: number;
  settings: LearnSettings;
}

export interface Checkpoint {
  traffic: number;
  top1: number;
  answeredRight: number;
  answeredWrong: number;
  oosAnswered: number | null;
  /** Learned questions active in the primary. */
  learned: number;
}

const DAY = 86_400_000;
const SPAN_DAYS = 30;
const MAX_ASKERS = 3;

/** The dataset's traffic and test: its own traffic split, or the first `split` of its shuffled test. */
export function replaySplit(dataset: Dataset, options: Pick<ReplayOptions, "split" | "perArticle" | "seed">): { traffic: Query[]; test: Query[] } {
  const random = seededRandom(options.seed);
  let traffic = dataset.traffic ?? [];
  let test = dataset.test;
  if (options.split !== undefined) {
    const mixed = shuffled(dataset.test, random);
    const cut = Math.round(mixed.length * options.split);
    traffic = mixed.slice(0, cut).filter((q) => q.label !== null);
    test = mixed.slice(cut);
  }
  if (!traffic.length) throw new Error(`${dataset.name} has no traffic split: use --dataset clinc150-small, or --replay-split with --train/--test`);
  if (options.perArticle !== undefined) {
    const taken = new Map<string, number>();
    traffic = shuffled(traffic, random).filter((q) => {
      const n = (taken.get(q.label!) ?? 0) + 1;
      taken.set(q.label!, n);
      return n <= options.perArticle!;
    });
  }
  return { traffic, test };
}

interface Send {
  text: string;
  gold: string | null;
  client: string;
  attacker: boolean;
}

const offeredOf = (d: Plan["decision"]): Candidate[] => (d.type === "clarify" || d.type === "offer_handoff" ? d.suggestions : d.type === "out_of_scope" ? d.related : []);
const answeredOf = (d: Plan["decision"]): Candidate | null => (d.type === "answer" ? d.article : d.type === "offer_handoff" ? d.article : null);

/** What one simulated customer does with the reply: the vote they cast, if any. */
function customerVote(plan: Plan, send: Send, noise: number, random: () => number): { article: Candidate; source: "pick" | "helpful" | "not_helpful" } | null {
  const answered = answeredOf(plan.decision);
  const offered = offeredOf(plan.decision);
  const wrong = offered.filter((c) => c.slug !== send.gold);
  if (send.attacker) {
    if (wrong.length) return { article: wrong[Math.floor(random() * wrong.length)]!, source: "pick" };
    return answered ? { article: answered, source: answered.slug === send.gold ? "not_helpful" : "helpful" } : null;
  }
  if (answered) return { article: answered, source: answered.slug === send.gold ? "helpful" : "not_helpful" };
  if (wrong.length && random() < noise) return { article: wrong[Math.floor(random() * wrong.length)]!, source: "pick" };
  const right = offered.find((c) => c.slug === send.gold);
  return right ? { article: right, source: "pick" } : null;
}

export interface ReplayResult {
  report: Report;
  checkpoints: Checkpoint[];
  traffic: { questions: number; sends: number; attackerPicks: number };
}

type RunQueries = (replica: EvalReplica, queries: Query[]) => Promise<Outcome[]>;

export async function replay(replica: EvalReplica, traffic: Query[], test: Query[], options: ReplayOptions, runQueries: RunQueries, onCheckpoint?: (c: Checkpoint) => void): Promise<ReplayResult> {
  const random = seededRandom(options.seed + 1);
  const sends: Send[] = [];
  let client = 0;
  for (const q of traffic) {
    const askers = 1 + Math.floor(random() * MAX_ASKERS);
    for (let i = 0; i < askers; i++) sends.push({ text: q.text, gold: intentSlug(q.label!), client: `client-${client++}`, attacker: false });
  }
  const ordered = shuffled(sends, random);
  // The attacker's conversations, spread through the traffic; it stops after N wrong picks.
  const attackerSends = options.attacker ? Array.from({ length: options.attacker * 5 }, () => traffic[Math.floor(random() * traffic.length)]!) : [];
  const every = attackerSends.length ? Math.max(1, Math.floor(ordered.length / attackerSends.length)) : Infinity;
  const stream: Send[] = [];
  ordered.forEach((s, i) => {
    stream.push(s);
    const a = i % every === 0 ? attackerSends[i / every] : undefined;
    if (a) stream.push({ text: a.text, gold: intentSlug(a.label!), client: "attacker", attacker: true });
  });
  const start = Date.UTC(2025, 0, 1);
  const checkpoints: Checkpoint[] = [];
  let outcomes: Outcome[] = [];
  let attackerPicks = 0;
  const checkpoint = async (done: number) => {
    await replica.sync();
    outcomes = await runQueries(replica, test);
    const r = report(outcomes);
    const active = await replica.primary.select({ n: count() }).from(learnedQuestions).where(eq(learnedQuestions.status, "active")).get();
    const c: Checkpoint = { traffic: done, top1: r.top1, answeredRight: r.answeredRight, answeredWrong: r.answeredWrong, oosAnswered: r.oosAnswered, learned: active?.n ?? 0 };
    checkpoints.push(c);
    onCheckpoint?.(c);
  };
  await checkpoint(0);
  const marks = new Set(Array.from({ length: options.checkpoints }, (_, i) => Math.round((stream.length * (i + 1)) / options.checkpoints)));
  for (const [i, send] of stream.entries()) {
    if (!(send.attacker && attackerPicks >= options.attacker)) {
      const plan = await planReply(send.text, "en", INITIAL_DIALOGUE, replica.kb);
      const vote = customerVote(plan, send, options.noise, random);
      if (vote) {
        if (send.attacker && vote.source === "pick") attackerPicks++;
        const input: VoteInput = { articleId: vote.article.id, locale: vote.article.locale, text: redact(send.text).text, conversation: `conversation-${i}`, client: send.client, subject: null, source: vote.source };
        await recordVote(replica.primary, input, options.settings, start + Math.floor((i / stream.length) * SPAN_DAYS * DAY));
      }
    }
    if (marks.has(i + 1)) await checkpoint(i + 1);
  }
  return { report: report(outcomes), checkpoints, traffic: { questions: traffic.length, sends: stream.length, attackerPicks } };
}
