// A light English stemmer: folds the inflections that matter for support questions
// (plurals, -ing, -ed, -ly, -ies) so "refunds", "refunded" and "refunding" meet "refund".
// Deliberately conservative: it never touches words of three letters or fewer.

const VOWEL = /[aeiouy]/;

export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("es") && /(ch|sh|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is|ous)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ["ingly", "edly", "ing", "ed"]) {
    if (w.endsWith(suffix) && VOWEL.test(w.slice(0, -suffix.length)) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      // stopped → stop, shipping → ship; but not "fill" or "pass".
      if (/([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
      // cancelled → cancel, travelled → travel; but spelled → spell.
      else if (/ell$/.test(w) && w.length > 5) w = w.slice(0, -1);

      break;
    }
  }
  if (w.endsWith("ly") && w.length > 5) w = w.slice(0, -2);
  // A final e goes, so that descale, descaled and descaling meet at "descal".
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}
