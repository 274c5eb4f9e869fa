// A five-article English FAQ written as a KB source folder (Markdown with front matter), for
// the node tests of the semantic signals and the reranker: small enough to train in a second,
// with questions close enough that meaning and spelling disagree sometimes.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FAQ_ARTICLES: Record<string, string> = {
  "refund-time": "title: How long does a refund take?\nquestions: [When will I get my money back?, How many days until the refund arrives?, Refund still not here]",
  "track-order": "title: How do I track my order?\nquestions: [Where is my parcel?, Has my order shipped yet?, Tracking number please]",
  "reset-password": "title: How do I reset my password?\nquestions: [I forgot my password, Change my password, Can't log in]",
  "change-address": "title: Can I change my delivery address?\nquestions: [Wrong address on my order, Ship to a different address, Update the delivery address]",
  "cancel-order": "title: How do I cancel an order?\nquestions: [Cancel my purchase, I want to stop my order, Undo the order I just placed]",
};

/** A temporary folder holding the FAQ (`en/<slug>.md`, answer "See the help page for <slug>."); the caller removes it. */
export function writeFaqKb(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "en"));
  for (const [slug, front] of Object.entries(FAQ_ARTICLES)) writeFileSync(join(dir, "en", `${slug}.md`), `---\n${front}\n---\nSee the help page for ${slug}.\n`);
  return dir;
}
