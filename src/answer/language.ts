// Which language a customer wrote in, from scripts and function words; works on short
// texts. Chinese is recognised by Han characters (Japanese by kana), other scripts by their
// Unicode script, Latin-script languages by their most common words and accents.

export interface DetectedLanguage {
  /** ISO 639-1: `en`, `zh`, `es`, … */
  language: string;
  /** False for texts too short or too mixed to be sure (callers may prefer the conversation's). */
  confident: boolean;
}

const SCRIPTS: Array<[RegExp, string]> = [
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, "ja"],
  [/\p{Script=Han}/u, "zh"],
  [/\p{Script=Hangul}/u, "ko"],
  [/\p{Script=Cyrillic}/u, "ru"],
  [/\p{Script=Arabic}/u, "ar"],
  [/\p{Script=Hebrew}/u, "he"],
  [/\p{Script=Thai}/u, "th"],
  [/\p{Script=Greek}/u, "el"],
  [/\p{Script=Devanagari}/u, "hi"],
];

const LATIN: Record<string, string[]> = {
  en: "the a an is are was to of and in on for my i you it what where when how why can do does my your with not please hi hello thanks order refund".split(" "),
  es: "el la los las es un una y de del en por para mi que qué donde dónde cuando cómo como puedo hola gracias pedido no está".split(" "),
  fr: "le la les est un une et de des du en pour mon ma mes que où quand comment je vous bonjour merci commande pas".split(" "),
  de: "der die das ist ein eine und zu von mit für mein meine wo wann wie ich sie nicht hallo danke bestellung".split(" "),
  pt: "o a os as é um uma e de do da em para meu minha que onde quando como posso olá obrigado pedido não".split(" "),
  it: "il lo la gli le è un una e di del in per mio mia che dove quando come posso ciao grazie ordine non".split(" "),
  nl: "de het een is en van in voor mijn wat waar wanneer hoe ik u niet hallo bedankt bestelling".split(" "),
};

const ACCENTS: Array<[RegExp, string]> = [
  [/[ñ¿¡]/, "es"],
  [/[ßäöü]/, "de"],
  [/[ãõ]/, "pt"],
  [/[çèêëœ]/, "fr"],
];

/** The language of a text, or null when it has no letters to tell by. */
export function detectLanguage(text: string): DetectedLanguage | null {
  const t = text.normalize("NFKC").toLowerCase();
  for (const [script, language] of SCRIPTS) {
    if (script.test(t)) return { language, confident: [...t.matchAll(/\p{L}/gu)].length >= 2 };
  }
  const words = t.match(/\p{L}+/gu) ?? [];
  if (!words.length) return null;
  const scores = new Map<string, number>();
  for (const [language, list] of Object.entries(LATIN)) {
    const set = new Set(list);
    scores.set(language, words.filter((w) => set.has(w)).length);
  }
  for (const [accent, language] of ACCENTS) if (accent.test(t)) scores.set(language, (scores.get(language) ?? 0) + 2);
  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  // No function words at all (a product name, "ok"): English is the safest guess, unsure.
  if (!best || best[1] === 0) return { language: "en", confident: false };
  return { language: best[0], confident: best[1] >= 2 && best[1] > (second?.[1] ?? 0) };
}

/** The locale replies use for a language. */
export function localeFor(language: string): string {
  return language === "zh" ? "zh-CN" : language;
}
