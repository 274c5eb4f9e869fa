// What kind of message a customer sent, in English and Chinese: a greeting, thanks, a
// goodbye, a request for a human, chit-chat, or a question for the knowledge base (possibly
// wrapped in a greeting, or in frustration). Whether a question is out of scope is for
// retrieval to tell, not for word lists.

export type MessageKind = "greeting" | "thanks" | "goodbye" | "human" | "chitchat" | "question";

export interface MessageUnderstanding {
  kind: MessageKind;
  /** The text with greetings and thanks taken off: what to search for. */
  question: string;
  /** The customer is complaining or frustrated (alongside whatever else they said). */
  complaint: boolean;
}

const PHRASES = {
  greeting: [
    /^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|greetings)( there)?\b[\s,.!]*/i,
    /^(你好|您好|嗨|哈喽|哈啰|早上好|下午好|晚上好|在吗|在不在|有人吗)[\s，,。！!？?]*/,
  ],
  thanks: [/\b(thanks|thank you|thank u|thx|cheers|many thanks|much appreciated|appreciate it)( (a lot|so much|very much|a bunch|again))?\b[\s,.!]*/i, /(谢谢|多谢|感谢|谢啦|辛苦了)[\s，,。！!]*/],
  goodbye: [/\b(bye|goodbye|good bye|see you|see ya|that'?s all|that is all|have a (nice|good) day)\b[\s,.!]*/i, /(再见|拜拜|回头见|没有了|没别的了|就这些)[\s，,。！!]*/],
};

const HUMAN = [
  /\b(human|real person|live (agent|person|chat)|(an?|the|customer service|support) (agent|representative|rep|operator)|speak to (someone|somebody|a person)|talk to (someone|somebody|a person|a human)|customer service|call me)\b/i,
  /(人工|真人|转接|客服人员|人工客服|找客服|接线员|打电话给我)/,
];

const COMPLAINT = [
  /\b(ridiculous|terrible|awful|worst|useless|unacceptable|disgusting|scam|rip ?off|furious|angry|annoyed|fed up|sick of|waste of time|not helpful|doesn'?t help|never again|complain|complaint|incompetent|pathetic)\b/i,
  /(投诉|太差|垃圾|气死|生气|愤怒|烦死|没用|骗子|欺骗|坑人|受够了|不满|差评|恶心|离谱|搞什么|什么破)/,
];

const CHITCHAT = [
  /^(how are you|how'?s it going|who are you|what are you|are you (a )?(bot|robot|human|real|ai)|what'?s your name|tell me a joke|do you like|i love you|you'?re (smart|funny|cute|stupid|dumb))\b/i,
  /^(你好吗|你是谁|你叫什么|你是机器人吗|你是人吗|讲个笑话|你几岁|你真聪明|你好笨|我爱你)/,
];

const strip = (text: string, patterns: RegExp[]) => patterns.reduce((t, p) => t.replace(p, " "), text).replace(/\s+/g, " ").trim();
const matches = (text: string, patterns: RegExp[]) => patterns.some((p) => p.test(text));

export function understandMessage(text: string): MessageUnderstanding {
  const t = text.normalize("NFKC").trim();
  const complaint = matches(t, COMPLAINT);
  if (matches(t, HUMAN)) return { kind: "human", question: t, complaint };
  const withoutGreeting = strip(t, PHRASES.greeting);
  const withoutThanks = strip(withoutGreeting, PHRASES.thanks);
  const remainder = strip(withoutThanks, PHRASES.goodbye);
  // What is left once the pleasantries are gone decides: nothing left means small talk.
  if (!/[\p{L}\p{N}]/u.test(remainder)) {
    if (withoutThanks !== withoutGreeting) return { kind: "thanks", question: "", complaint };
    if (remainder !== withoutThanks) return { kind: "goodbye", question: "", complaint };
    if (withoutGreeting !== t) return { kind: "greeting", question: "", complaint };
    return { kind: complaint ? "question" : "chitchat", question: t, complaint };
  }
  if (matches(remainder, CHITCHAT)) return { kind: "chitchat", question: remainder, complaint };
  return { kind: "question", question: remainder, complaint };
}
