// LearnedEuDO: one object in the `eu` jurisdiction where EU conversations' learning votes
// wait. Their words may not be stored outside the EU until an editor approves them, so the
// candidates live here, counted by the same rules (src/kb/learning/learned.ts) but never
// active on their own; the editors' API lists them beside the primary's, and an approval
// moves the words (and the votes' digests) to the KB primary. Glue only.
import { DurableObject } from "cloudflare:workers";
import { learnedEuMigrations } from "../migrations/learned-eu/index.ts";
import { readConfig } from "../src/config.ts";
import { countVotes, dayOf, decideVote, statusOf, type Vote, type VoteSource } from "../src/kb/learning/learned.ts";
import type { LearnedQuestion, RecordOutcome, VoteInput } from "../src/kb/learning/questions.ts";
import { questionKey } from "../src/kb/memory.ts";
import { EU_ID_PREFIX } from "../src/kb/learning/learned.ts";
import { applyMigrations } from "../src/storage/migrations.ts";

type QuestionRow = { id: string; article_id: string; locale: string; key: string; text: string; origin_conversation: string; origin_subject: string | null; first_seen: number; last_seen: number };
type VoteRow = { question_id: string; conversation: string; client: string; subject: string | null; source: VoteSource; day: string; at: number };

/** An EU candidate with its votes, as an approval moves it to the primary. */
export interface EuCandidate {
  question: LearnedQuestion;
  key: string;
  originConversation: string;
  originSubject: string | null;
  votes: Array<Vote & { subject: string | null; at: number }>;
}

export class LearnedEuDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, learnedEuMigrations);
    this.sql = ctx.storage.sql;
  }

  /** Records a vote by the production rules; the question stays a candidate until an editor approves it. */
  record(input: VoteInput, now = Date.now()): RecordOutcome & { id?: string } {
    const settings = readConfig(this.env).learn;
    const key = questionKey(input.text);
    if (!key) return { kind: "empty_question" };
    const day = dayOf(now);
    const found = this.sql.exec<QuestionRow>("SELECT * FROM questions WHERE article_id = ? AND key = ?", input.articleId, key).toArray()[0];
    const votes = found ? this.votesOf(found.id) : [];
    const today = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM votes WHERE client = ? AND day = ?", input.client, day).one().n;
    const vote: Vote = { conversation: input.conversation, client: input.client, source: input.source, day };
    const decision = decideVote(found ? { review: null, votes } : null, vote, { settings, needsApproval: true, clientVotesToday: today });
    if (decision.kind === "ignored") return decision;
    const id = found?.id ?? `${EU_ID_PREFIX}${[...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    this.ctx.storage.transactionSync(() => {
      if (found) this.sql.exec("UPDATE questions SET last_seen = ? WHERE id = ?", now, id);
      else {
        this.sql.exec(
          "INSERT INTO questions (id, article_id, locale, key, text, origin_conversation, origin_subject, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          id, input.articleId, input.locale, key, input.text, input.conversation, input.subject, now, now,
        );
      }
      this.sql.exec("INSERT OR IGNORE INTO votes (question_id, conversation, client, subject, source, day, at) VALUES (?, ?, ?, ?, ?, ?, ?)", id, vote.conversation, vote.client, input.subject, vote.source, day, now);
    });
    return { ...decision, id };
  }

  /** Candidates for editors, most recently seen first. */
  list(filter: { locale?: string; articleId?: string; limit: number }): LearnedQuestion[] {
    const rows = this.sql
      .exec<QuestionRow>("SELECT * FROM questions WHERE (?1 IS NULL OR locale = ?1) AND (?2 IS NULL OR article_id = ?2) ORDER BY last_seen DESC, id LIMIT ?3", filter.locale ?? null, filter.articleId ?? null, filter.limit)
      .toArray();
    return rows.map((r) => this.toLearned(r));
  }

  /** A candidate with its votes (for an approval), or null. */
  get(id: string): EuCandidate | null {
    const row = this.sql.exec<QuestionRow>("SELECT * FROM questions WHERE id = ?", id).toArray()[0];
    if (!row) return null;
    const votes = this.sql.exec<VoteRow>("SELECT * FROM votes WHERE question_id = ?", id).toArray();
    return { question: this.toLearned(row), key: row.key, originConversation: row.origin_conversation, originSubject: row.origin_subject, votes: votes.map((v) => ({ conversation: v.conversation, client: v.client, source: v.source, day: v.day, subject: v.subject, at: v.at })) };
  }

  /** Removes a candidate (approved and moved, rejected, or deleted); false when there was none. */
  remove(id: string): boolean {
    const had = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM questions WHERE id = ?", id).one().n > 0;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM votes WHERE question_id = ?", id);
      this.sql.exec("DELETE FROM questions WHERE id = ?", id);
    });
    return had;
  }

  /** Erases what conversations (by digest) or a verified customer taught. */
  erase(by: { conversations?: string[]; subject?: string }): { questions: number; votes: number } {
    const conversations = by.conversations ?? [];
    const subject = by.subject ?? null;
    let questions = 0;
    let votes = 0;
    this.ctx.storage.transactionSync(() => {
      for (const c of conversations) votes += this.sql.exec("DELETE FROM votes WHERE conversation = ?", c).rowsWritten;
      if (subject) votes += this.sql.exec("DELETE FROM votes WHERE subject = ?", subject).rowsWritten;
      const origin = this.sql
        .exec<{ id: string }>(`SELECT id FROM questions WHERE origin_subject = ? OR origin_conversation IN (${conversations.map(() => "?").join(",") || "NULL"})`, subject, ...conversations)
        .toArray();
      for (const { id } of origin) {
        this.sql.exec("DELETE FROM votes WHERE question_id = ?", id);
        this.sql.exec("DELETE FROM questions WHERE id = ?", id);
        questions++;
      }
    });
    return { questions, votes };
  }

  private votesOf(id: string): Vote[] {
    return this.sql.exec<VoteRow>("SELECT * FROM votes WHERE question_id = ?", id).toArray().map((v) => ({ conversation: v.conversation, client: v.client, source: v.source, day: v.day }));
  }

  private toLearned(r: QuestionRow): LearnedQuestion {
    const votes = this.votesOf(r.id);
    const counts = countVotes(votes);
    const status = statusOf({ review: null, votes }, { settings: readConfig(this.env).learn, needsApproval: true });
    return { id: r.id, articleId: r.article_id, locale: r.locale, text: r.text, status, confirmations: counts.confirmations, notHelpful: counts.notHelpful, sources: counts.sources, firstSeen: new Date(r.first_seen).toISOString(), lastSeen: new Date(r.last_seen).toISOString(), eu: true };
  }
}
