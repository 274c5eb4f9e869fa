// The knowledge base's system of record (libSQL primary). Every write bumps the KB-wide
// version and stamps it on the article it touched, so replicas can pull changes by cursor;
// deletions are tombstones (deleted_at) so replicas learn of them.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
