// Follow-up questions that only make sense after the previous one: "what about refunds?",
// "and for express?", "那退款呢？". The new topic is searched together with the rest of the
// previous question, so "how long does shipping take?" then "what about refunds?" looks for
// how long refunds take.

const EN = [
  /^(?:and\s+)?(?:what|how)\s+about\s+(.+?)[\s?.!]*$/i,
  /^and\s+(?:for|with|if|the)?\s*(.+?)[\s?.!]*$/i,
  /^(?:same|what)\s+(?:for|with)\s+(.+?)[\s?.!]*$/i,
  /^(.+?)\s+(?:too|as well)[\s?.!]*$/i,
];

const ZH = [/^(?:那|那么|还有|另外)?(.+?)(?:呢|怎么样|怎么办)[\s？?。!！]*$/, /^(?:那|那么)(.+?)[\s？?。!！]*$/];

/** The new topic when a message is a follow-up, else null. */
export function followUpTopic(text: string): string | null {
  const t = text.normalize("NFKC").trim();
  // Long messages stand on their own.
  if (t.length > 60) return null;
  for (const pattern of /\p{Script=Han}/u.test(t) ? ZH : EN) {
    const topic = pattern.exec(t)?.[1]?.trim();
    if (topic && topic.length <= 40) return topic;
  }
  return null;
}

/** What to search for: the new topic, with the previous question as context. */
export function followUpQuery(topic: string, previousQuestion: string): string {
  return `${topic} ${topic} ${previousQuestion}`;
}
