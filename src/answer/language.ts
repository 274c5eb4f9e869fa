// Script-level language guess: enough to pick English or Chinese for replies until the
// answer pipeline's full detector takes over.

const HAN = /\p{Script=Han}/u;

/** `zh-CN` when the text contains Chinese characters, else the fallback locale. */
export function guessLocale(text: string, fallback: string): string {
  if (HAN.test(text)) return "zh-CN";
  return /[A-Za-z]/.test(text) ? "en" : fallback;
}

/** Whether a locale is Chinese. */
export function isChinese(locale: string): boolean {
  return locale.toLowerCase().startsWith("zh");
}
