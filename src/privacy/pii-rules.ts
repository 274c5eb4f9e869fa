// The validity rules that let the redactor tell personal data from look-alike numbers: Luhn
// plus issuer prefixes for cards, ISO 13616 mod-97 for IBANs, ISO 7064 MOD 11-2 for CN
// resident identity numbers, and an IPv6 parser.
//
// Why issuer prefixes on top of Luhn: one random number in ten passes Luhn, so Luhn alone
// would redact one in ten 16-digit order numbers. Requiring a real issuer range and that
// brand's lengths leaves tracking numbers alone (UPS 1Z…, USPS 20–22 digits starting 9,
// FedEx 12/15 digits starting 1–9 outside card ranges, ZTO/Yunda 12–14 digits starting 7/3/4
// with non-card lengths), while every card in circulation still matches.

/** Issuer ranges (by prefix) and the lengths that brand issues. */
const CARD_BRANDS: ReadonlyArray<{ prefix: RegExp; lengths: readonly number[] }> = [
  { prefix: /^4/, lengths: [16, 19] }, // Visa (13-digit Visa cards are no longer issued)
  { prefix: /^(?:5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/, lengths: [16] }, // Mastercard
  { prefix: /^3[47]/, lengths: [15] }, // American Express
  { prefix: /^(?:6011|64[4-9]|65)/, lengths: [16, 17, 18, 19] }, // Discover
  { prefix: /^62/, lengths: [16, 17, 18, 19] }, // UnionPay
  { prefix: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19] }, // JCB
  { prefix: /^3(?:0[0-5]|095|[689])/, lengths: [14, 15, 16, 17, 18, 19] }, // Diners Club
  { prefix: /^(?:5018|5020|5038|5893|6304|6759|676[1-3])/, lengths: [13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { prefix: /^220[0-4]/, lengths: [16, 17, 18, 19] }, // Mir
  { prefix: /^(?:60|6521|6522|508)/, lengths: [16] }, // RuPay
];

/** Luhn (mod 10) over a string of digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A payment card number: 13–19 digits, a known issuer range and length, and Luhn-valid. */
export function isCardNumber(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits) || /^(\d)\1+$/.test(digits)) return false;
  return CARD_BRANDS.some((b) => b.prefix.test(digits) && b.lengths.includes(digits.length)) && luhn(digits);
}

const CN_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_ID_CHECK = "10X98765432";

/** The 18th character of a CN resident identity number matches ISO 7064 MOD 11-2 of the first 17. */
export function isCnIdChecksum(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * CN_ID_WEIGHTS[i]!;
  return CN_ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

/** IBAN lengths by country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28,
  LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24,
  SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** The IBAN length of a country code, or undefined when the country has no IBAN. */
export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTHS[country.toUpperCase()];
}

/** ISO 13616 check: the rearranged IBAN (letters as 10–35) mod 97; valid IBANs give 1. */
export function mod97(iban: string): number {
  const s = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let rest = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rest = (rest * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rest = (rest * 100 + (c - 55)) % 97;
    else return -1;
  }
  return rest;
}

/** A whole IBAN (no spaces): known country, its length, mostly digits, mod-97 = 1. */
export function isIban(compact: string): boolean {
  const length = ibanLength(compact.slice(0, 2));
  if (length === undefined || compact.length !== length || !/^[A-Za-z]{2}\d{2}[A-Za-z0-9]+$/.test(compact)) return false;
  // Real BBANs are mostly digits; this keeps "ab12 some words here" from ever being tried.
  return (compact.slice(4).match(/\d/g)?.length ?? 0) >= 8 && mod97(compact) === 1;
}

const IPV4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv6 address in any RFC 4291 text form (with :: and an IPv4 tail), not bare "::". */
export function isIpv6(s: string): boolean {
  let text = s;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const parts = text.slice(lastColon + 1).split(".");
    if (parts.length !== 4 || !parts.every((p) => IPV4_PART.test(p))) return false;
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  // An empty group (":a", "a:", ":::") fails the hex test.
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length >= 1 && groups.length <= 7 : groups.length === 8;
}
