// Follow-up questions that only make sense after the previous one: "what about refunds?",
// "and for express?", "那退款呢？". The new topic is searched together with the rest of the
// previous question, so "how long does shipping take?" then "what about refunds?" looks for
// how long refunds take.

// Matched after the trailing blanks and punctuation are cut, so that no pattern ends in two
// runs that can trade characters (`(.+?)[\s?.!]*$` backtracks polynomially on blanks).
const TRAILING = /(?<![\s?.!。？！])[\s?.!。？！]+$/;

const EN = [
  /^(?:and\s+)?(?:what|how)\s+about\s+(\S.*)$/i,
  /^and\s+(?:(?:for|with|if|the)\s+)?(\S.*)$/i,
  /^(?:same|what)\s+(?:for|with)\s+(\S.*)$/i,
  /^(.*?\S)\s+(?:too|as well)$/i,
];

const ZH = [/^(?:那|那么|还有|另外)?(.+?)(?:呢|怎么样|怎么办)$/, /^(?:那么|那)(.+)$/];

/** The new topic when a message is a follow-up, else null. */
export function followUpTopic(text: string): string | null {
  const t = text.normalize("NFKC").trim();
  // Long messages stand on their own.
  if (t.length > 60) return null;
  const asked = t.replace(TRAILING, "");
  for (const pattern of /\p{Script=Han}/u.test(asked) ? ZH : EN) {
    const topic = pattern.exec(asked)?.[1]?.trim();
    if (topic && topic.length <= 40) return topic;
  }
  return null;
}

/** What to search for: the new topic, with the previous question as context. */
export function followUpQuery(topic: string, previousQuestion: string): string {
  return `${topic} ${topic} ${previousQuestion}`;
}
