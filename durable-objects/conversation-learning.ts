// The conversation's part in learning from confirmations (src/kb/learning): turns a pick, a
// helpful mark or an agent's word into a vote (signals.ts), keeps it in an outbox in the
// conversation's own storage, and sends it to the KB primary without holding up a turn:
// redacted words and keyed digests only. A primary that cannot be reached leaves the vote in
// the outbox, retried on the alarm with backoff: nothing lost, and bounded.
//
// EU conversations' votes go to the LearnedEuDO in the `eu` jurisdiction instead: their words
// may not leave the EU until an editor approves them (src/platform/learning.ts).
import type { Config } from "../src/config.ts";
import type { Message } from "../src/conversation/types.ts";
import { learnDigest } from "../src/kb/learning/digests.ts";
import type { VoteSource } from "../src/kb/learning/learned.ts";
import type { SignalDecision } from "../src/kb/learning/signals.ts";
import type { LearningSink } from "../src/platform/learning.ts";
import { redact } from "../src/privacy/redact.ts";
import type { ConversationStore } from "./conversation-store.ts";

/** Votes one conversation keeps waiting at most; a conversation casts only a few. */
const MAX_OUTBOX = 50;
const BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 3_600_000;

type OutboxRow = {
  id: number;
  question_seq: number;
  article_id: string;
  locale: string;
  source: VoteSource;
  client: string;
  attempts: number;
};

export interface LearningDeps {
  config: Config;
  store: ConversationStore;
  sql: SqlStorage;
  sink: LearningSink;
  /** Asks for an alarm at `at` (the DO keeps its earlier one, if any). */
  armAt(at: number): void;
}

export class ConversationLearning {
  private readonly d: LearningDeps;
  private flushing: Promise<void> | null = null;

  constructor(deps: LearningDeps) {
    this.d = deps;
  }

  /**
   * Records a vote from a signal and starts sending it. `client` is the requester's client
   * digest (an operator's id for agents); a verified customer counts as themselves wherever
   * they are. A signal with no client is not recorded.
   */
  signal(decision: SignalDecision, client: string | undefined): void {
    const meta = this.d.store.meta();
    if (decision.kind !== "vote" || !client || !meta || this.d.config.learn.mode === "off") return;
    const waiting = this.d.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM learning_outbox").one().n;
    if (waiting >= MAX_OUTBOX) return;
    this.d.sql.exec(
      "INSERT INTO learning_outbox (question_seq, article_id, locale, source, client, next_at) VALUES (?, ?, ?, ?, ?, ?)",
      decision.questionSeq,
      decision.articleId,
      decision.locale,
      decision.source,
      client,
      Date.now(),
    );
    void this.flush();
  }

  /** Whether votes are waiting to be sent. */
  pending(): boolean {
    return this.d.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM learning_outbox").one().n > 0;
  }

  /** Sends the votes that are due (`all`: every waiting one: the retry alarm); concurrent calls share one run. Never throws. */
  flush(all = false): Promise<void> {
    this.flushing ??= this.send(all).finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async send(all: boolean): Promise<void> {
    const meta = this.d.store.meta();
    const secret = this.d.config.tokenSecret;
    if (!meta || secret.length < 16) return;
    const rows = this.d.sql.exec<OutboxRow>("SELECT * FROM learning_outbox WHERE next_at <= ? ORDER BY id", all ? Infinity : Date.now()).toArray();
    const subject = meta.customer?.verified ? this.d.store.subject() : null;
    const conversation = await learnDigest(secret, "conversation", meta.id);
    const subjectDigest = subject ? await learnDigest(secret, "subject", subject) : null;
    for (const row of rows) {
      const question: Message | null = await this.d.store.message(row.question_seq).catch(() => null);
      const text = question?.role === "customer" ? redact(question.text).text : "";
      try {
        if (text) {
          const operator = row.source === "agent" || row.source === "editor";
          const client = operator ? row.client : (subjectDigest ?? (await learnDigest(secret, "client", row.client)));
          await this.d.sink.record({ articleId: row.article_id, locale: row.locale, text, conversation, client, subject: subjectDigest, source: row.source }, meta.jurisdiction === "eu");
        }
        this.d.sql.exec("DELETE FROM learning_outbox WHERE id = ?", row.id);
      } catch {
        // Kept until it is sent (or the conversation is erased): retried with backoff, at most hourly.
        const attempts = row.attempts + 1;
        const at = Date.now() + Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** (attempts - 1));
        this.d.sql.exec("UPDATE learning_outbox SET attempts = ?, next_at = ? WHERE id = ?", attempts, at, row.id);
      }
    }
    this.rearm();
  }

  /** Asks for an alarm at the next retry, if votes are waiting (after the alarm set its own). */
  rearm(): void {
    const next = this.d.sql.exec<{ at: number | null }>("SELECT MIN(next_at) AS at FROM learning_outbox").one().at;
    if (next !== null) this.d.armAt(next);
  }
}
