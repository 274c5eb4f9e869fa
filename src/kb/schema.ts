// The knowledge base's system of record (libSQL primary). Every write bumps the KB-wide
// version and stamps it on the article it touched, so replicas can pull changes by cursor;
// deletions are tombstones (deleted_at) so replicas learn of them.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ROLES } from "../auth/roles.ts";
import { OUTCOMES } from "../privacy/audit-chain.ts";
import { LEARNED_STATUSES, VOTE_SOURCES, type VoteSource } from "./learning/learned.ts";

/** KB-wide counters; the row `version` is the version of the last write. */
export const kbMeta = sqliteTable("kb_meta", {
  key: text("key").primaryKey(),
  value: integer("value").notNull(),
});

export const articles = sqliteTable(
  "articles",
  {
    /** `<locale>:<slug>`, stable for the life of the article. */
    id: text("id").primaryKey(),
    /** Shared by translations of the same article. */
    slug: text("slug").notNull(),
    locale: text("locale").notNull(),
    title: text("title").notNull(),
    /** Markdown. */
    answer: text("answer").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    status: text("status", { enum: ["draft", "published"] }).notNull().default("draft"),
    version: integer("version").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Set when deleted; the row stays as a tombstone. */
    deletedAt: integer("deleted_at"),
  },
  (t) => [uniqueIndex("articles_slug_locale").on(t.slug, t.locale), index("articles_version").on(t.version)],
);

export const exampleQuestions = sqliteTable(
  "example_questions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    articleId: text("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    text: text("text").notNull(),
  },
  (t) => [uniqueIndex("example_questions_article_position").on(t.articleId, t.position)],
);

export type ArticleRow = typeof articles.$inferSelect;
export type ExampleQuestionRow = typeof exampleQuestions.$inferSelect;

/**
 * People who use the admin API. Only a hash of each operator's key is stored; the key itself
 * is shown once, at creation or rotation. Revoked operators stay as rows (the audit log
 * names them).
 */
export const operators = sqliteTable(
  "operators",
  {
    /** `op_<hex>`, stable for the life of the operator. */
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    team: text("team"),
    /** SHA-256 hex of the current key. */
    keyHash: text("key_hash").notNull(),
    /** The key's first characters, enough to tell keys apart in a list. */
    keyPrefix: text("key_prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    rotatedAt: integer("rotated_at"),
    /** Set when revoked; the key no longer verifies. */
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("operators_key_hash").on(t.keyHash)],
);

/**
 * The append-only audit log, hash-chained (src/privacy/audit-chain.ts): each row's hash covers
 * its fields and the previous row's hash, so an edited or removed row breaks the chain.
 * Targets are ids, never customer text.
 */
export const auditLog = sqliteTable("audit_log", {
  seq: integer("seq").primaryKey(),
  /** ISO 8601 UTC. */
  at: text("at").notNull(),
  actor: text("actor").notNull(),
  role: text("role").notNull(),
  action: text("action").notNull(),
  target: text("target").notNull(),
  outcome: text("outcome", { enum: OUTCOMES }).notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull(),
});

/**
 * Outbound webhook subscriptions (src/webhooks/): where a team's conversation events go.
 * The signing secret is shown once, at creation; it must be kept to sign with, so it is
 * stored sealed under its own data key, wrapped by the master keyring (DATA_ENCRYPTION_KEY),
 * never in the clear in the primary or its backups. A deleted subscription's row goes; the
 * audit log keeps what happened.
 */
export const webhooks = sqliteTable("webhooks", {
  /** `wh_<hex>`. */
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  /** The event types it receives. */
  events: text("events", { mode: "json" }).$type<string[]>().notNull(),
  /** null: every team. */
  team: text("team"),
  /** Customer and agent text in payloads (opted in). */
  includeText: integer("include_text", { mode: "boolean" }).notNull().default(false),
  /** The secret's data key, wrapped by the master keyring (bound to the id). */
  secretKey: text("secret_key").notNull(),
  /** The signing secret, sealed with that key. */
  secret: text("secret").notNull(),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by").notNull(),
});

export type OperatorRow = typeof operators.$inferSelect;
export type WebhookRow = typeof webhooks.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

/**
 * Example questions learned from confirmations (src/kb/learning): a customer's redacted
 * question, for the article that answered it. Active ones are training data on the replicas,
 * pulled with the articles by the same version cursor: `version` is stamped (from the KB-wide
 * counter) only when what replicas see changes. A deleted or erased one stays as a tombstone
 * without its text, so replicas drop it.
 */
export const learnedQuestions = sqliteTable(
  "learned_questions",
  {
    /** `lq_<hex>`. */
    id: text("id").primaryKey(),
    articleId: text("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    locale: text("locale").notNull(),
    /** The question's tokens, sorted (src/kb/memory.ts questionKey): new wordings of the same words are one question. */
    key: text("key").notNull(),
    /** The first redacted wording seen; "" once deleted or erased. */
    text: text("text").notNull(),
    status: text("status", { enum: LEARNED_STATUSES }).notNull(),
    /** An editor's approval or rejection, which overrides the counts. */
    review: text("review", { enum: ["approved", "rejected"] }),
    confirmations: integer("confirmations").notNull().default(0),
    notHelpful: integer("not_helpful").notNull().default(0),
    sources: text("sources", { mode: "json" }).$type<Record<VoteSource, number>>().notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    /** Keyed digests of the conversation (and verified customer) the words came from: erasing them removes the question. */
    originConversation: text("origin_conversation").notNull(),
    originSubject: text("origin_subject"),
    version: integer("version").notNull().default(0),
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    uniqueIndex("learned_questions_article_key").on(t.articleId, t.key),
    index("learned_questions_version").on(t.version),
    index("learned_questions_status").on(t.status, t.locale),
    index("learned_questions_origin_conversation").on(t.originConversation),
    index("learned_questions_origin_subject").on(t.originSubject),
  ],
);

/** Each counted vote on a learned question, by keyed digests only (see src/kb/learning/digests.ts). */
export const learnedVotes = sqliteTable(
  "learned_votes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    questionId: text("question_id")
      .notNull()
      .references(() => learnedQuestions.id, { onDelete: "cascade" }),
    conversation: text("conversation").notNull(),
    /** The verified customer's digest, else the client address's; an operator id for agents and editors. */
    client: text("client").notNull(),
    /** The verified customer's digest, for erasure. */
    subject: text("subject"),
    source: text("source", { enum: VOTE_SOURCES }).notNull(),
    /** UTC day (YYYY-MM-DD), for the per-client daily cap. */
    day: text("day").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [
    // One vote per client and per conversation on a question, whatever races between writers.
    uniqueIndex("learned_votes_question_client").on(t.questionId, t.client),
    uniqueIndex("learned_votes_question_conversation").on(t.questionId, t.conversation),
    index("learned_votes_client_day").on(t.client, t.day),
    index("learned_votes_conversation").on(t.conversation),
    index("learned_votes_subject").on(t.subject),
  ],
);

export type LearnedQuestionRow = typeof learnedQuestions.$inferSelect;
export type LearnedVoteRow = typeof learnedVotes.$inferSelect;

/**
 * KB writes waiting for a release (KB_RELEASES=on, once the KB has a stable version): the
 * candidate content of each article written since stable, deletes included. `releaseId` ""
 * is pending (the next release takes it); a release's rows carry its id and a version of the
 * candidate change feed, reserved when it opened. Promotion applies them to `articles`.
 */
export const stagedArticles = sqliteTable(
  "staged_articles",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    articleId: text("article_id").notNull(),
    slug: text("slug").notNull(),
    locale: text("locale").notNull(),
    title: text("title").notNull(),
    answer: text("answer").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    questions: text("questions", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", { enum: ["draft", "published"] }).notNull(),
    /** A staged delete: the article goes when the release is promoted. */
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    updatedAt: integer("updated_at").notNull(),
    /** "" while pending; else the release that carries it. */
    releaseId: text("release_id").notNull().default(""),
    /** Its version in the candidate change feed (reserved at the release's opening); 0 while pending. */
    version: integer("version").notNull().default(0),
  },
  (t) => [uniqueIndex("staged_articles_article_release").on(t.articleId, t.releaseId), index("staged_articles_release_version").on(t.releaseId, t.version)],
);

export type StagedArticleRow = typeof stagedArticles.$inferSelect;

export const RELEASE_KINDS = ["kb", "settings"] as const;
export const RELEASE_STATES = ["canary", "promoted", "rolled_back"] as const;

/**
 * Releases of KB content and of answer settings (src/releases): one open (`canary`) at a
 * time; the guard's config, the decision that closed it and why, and the last comparison.
 */
export const kbReleases = sqliteTable(
  "kb_releases",
  {
    /** `rel_<hex>`. */
    id: text("id").primaryKey(),
    kind: text("kind", { enum: RELEASE_KINDS }).notNull(),
    state: text("state", { enum: RELEASE_STATES }).notNull(),
    stableVersion: integer("stable_version").notNull(),
    candidateVersion: integer("candidate_version").notNull(),
    percent: integer("percent").notNull(),
    guard: text("guard", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** Settings releases: the changes the canary answers with. */
    changes: text("changes", { mode: "json" }).$type<Record<string, unknown>>(),
    /** How many staged articles a KB release carries. */
    articles: integer("articles").notNull().default(0),
    openedAt: integer("opened_at").notNull(),
    openedBy: text("opened_by").notNull(),
    closedAt: integer("closed_at"),
    /** Who closed it: an operator id, or `system:guard`. */
    closedBy: text("closed_by"),
    reason: text("reason"),
    /** The guard's last comparison of the arms (kept when the release closes). */
    comparison: text("comparison", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  // One release open at a time, whatever races between writers.
  (t) => [uniqueIndex("kb_releases_one_open").on(t.state).where(sql`state = 'canary'`), index("kb_releases_opened_at").on(t.openedAt)],
);

export type KbReleaseRow = typeof kbReleases.$inferSelect;

/**
 * Answer settings (thresholds, generation on or off, the LLM model, the prompt) set at run
 * time: `stable` is what every conversation outside a release answers with, `pending` the
 * changes waiting for a release. Values are partial: unset keys keep the Worker's defaults.
 */
export const answerSettings = sqliteTable("answer_settings", {
  scope: text("scope", { enum: ["stable", "pending"] }).primaryKey(),
  value: text("value", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  version: integer("version").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
