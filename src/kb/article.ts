// What a KB article is, and the rules every write path (admin API, CLI import) checks.
import { z } from "@hono/zod-openapi";
import { LocaleSchema } from "../conversation/schemas.ts";

export const SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/** The fields an update may change; no defaults, so a partial update leaves the rest alone. */
export const ArticleFields = {
  title: z.string().trim().min(1, "title must not be empty").max(300),
  answer: z.string().trim().min(1, "answer must not be empty").max(20_000),
  questions: z.array(z.string().trim().min(1).max(500)).max(1_000),
  tags: z.array(z.string().trim().min(1).max(40)).max(20),
  status: z.enum(["draft", "published"]),
};

export const ArticleInputSchema = z
  .strictObject({
    slug: z.string().regex(SLUG, "slug must be 1-100 characters of a-z 0-9 _ - starting with a letter or digit"),
    locale: LocaleSchema,
    ...ArticleFields,
    questions: ArticleFields.questions.default([]),
    tags: ArticleFields.tags.default([]),
    status: ArticleFields.status.default("draft"),
  })
  .openapi("ArticleInput");

export type ArticleInput = z.output<typeof ArticleInputSchema>;

export interface Article extends ArticleInput {
  id: string;
  version: number;
  updatedAt: number;
  deletedAt: number | null;
}

/** Articles are identified by locale and slug; translations share the slug. */
export function articleId(slug: string, locale: string): string {
  return `${locale}:${slug}`;
}

/** The parts of an article a write can change, for "did anything change?" checks. */
export function fingerprint(a: Pick<ArticleInput, "title" | "answer" | "questions" | "tags" | "status">): string {
  return JSON.stringify([a.title, a.answer, a.questions, a.tags, a.status]);
}
