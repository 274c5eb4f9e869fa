// The editors' API for learned questions on the e2e stack, as the tests read it.
import { expect } from "vitest";
import { adminKb } from "./api.ts";

export interface Learned {
  id: string;
  articleId: string;
  locale: string;
  text: string;
  status: "candidate" | "active" | "rejected";
  confirmations: number;
  notHelpful: number;
  sources: Record<"pick" | "helpful" | "not_helpful" | "agent" | "editor", number>;
}

/** The learned questions of an article. */
export async function learnedOf(articleId: string): Promise<Learned[]> {
  const res = await adminKb(`/learned?articleId=${encodeURIComponent(articleId)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Learned[] }).items;
}

/**
 * The article's learned questions once `done` holds for them: votes reach the primary from
 * the conversation's outbox a moment after the turn (bounded wait; the last read otherwise).
 */
export async function learnedWhen(articleId: string, done: (items: Learned[]) => boolean): Promise<Learned[]> {
  for (let i = 0; i < 200; i++) {
    const items = await learnedOf(articleId);
    if (done(items)) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
  return learnedOf(articleId);
}
