// Checks around generation. Before: does the customer's message try to steer the model?
// After, sentence by sentence: does the text state only what the sources state (numbers,
// links, addresses), and does it stay clear of asking for secrets?

const INJECTION = [
  /\b(ignore|disregard|forget|override)\b.{0,30}\b(previous|prior|above|earlier|all|your|the)\b.{0,20}\b(instructions?|rules|prompts?|directions|guidelines)\b/i,
  /\b(system|hidden|initial) prompt\b/i,
  /\b(reveal|show|print|repeat|tell me)\b.{0,20}\b(your|the)\b.{0,10}\b(instructions|prompt|rules)\b/i,
  /\byou are now\b|\bact as (an?|the)\b|\bpretend (to be|you are)\b|\bdeveloper mode\b|\bjailbreak\b|\bDAN\b/i,
  /(忽略|无视|忘记|忘掉).{0,10}(之前|以上|前面|上面|所有|你的).{0,6}(指令|指示|规则|提示|设定)/,
  /(系统提示|提示词|你的指令|你的规则)/,
  /(你现在是|扮演|假装你是|开发者模式|越狱)/,
];

/** Whether a message tries to instruct the model rather than ask a question. */
export function looksLikeInjection(text: string): boolean {
  const t = text.normalize("NFKC");
  return INJECTION.some((p) => p.test(t));
}

const SECRETS = [
  /\b(send|share|give|email|provide|tell|reply with|type)\b.{0,25}\b(password|passcode|card number|cvv|cvc|security code|pin|one[- ]time code|verification code)\b/i,
  /(发送|提供|告诉|回复|输入|发给).{0,12}(密码|卡号|验证码|安全码|CVV)/i,
];

const FACTS = [
  /https?:\/\/[^\s)]+/gi,
  /(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+/g,
  /\+?\d[\d\s-]{6,}\d/g,
  /\d+(?:[.,]\d+)?/g,
];

const comparable = (s: string) => s.normalize("NFKC").toLowerCase().replace(/[\s-]+/g, "").replace(/[.,]$/, "");

/** The facts a text states: whole numbers, links, addresses, phone numbers. */
export function factsOf(text: string): Set<string> {
  const t = text.normalize("NFKC");
  return new Set(FACTS.flatMap((pattern) => t.match(pattern) ?? []).map(comparable));
}

export type SentenceCheck = "ok" | "ungrounded" | "unsafe";

/** A generated sentence may only state facts the sources state, and may never ask for secrets. */
export function checkSentence(sentence: string, sourceFacts: Set<string>): SentenceCheck {
  if (SECRETS.some((p) => p.test(sentence))) return "unsafe";
  for (const fact of factsOf(sentence)) if (!sourceFacts.has(fact)) return "ungrounded";
  return "ok";
}
