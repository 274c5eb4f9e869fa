// Finds personal data in English and Chinese chat text and replaces each piece with a typed
// placeholder (`[email]`, `[phone]`, …) before text is stored, logged or sent to an LLM.
// Numbers are redacted only when they validate (Luhn, mod-97, MOD 11-2, number plans), so
// order numbers, tracking numbers, dates and prices survive (the rules and their trade-offs
// are in pii-rules.ts and the table in test/support/pii-cases.ts).
import { ibanLength, isCardNumber, isCnIdChecksum, isIban, isIpv6 } from "./pii-rules.ts";

export type PiiKind = "email" | "phone" | "card" | "iban" | "cn_id" | "ip" | "ssn" | "secret";

/** Every kind, in the order overlapping candidates are preferred when they tie. */
export const PII_KINDS: readonly PiiKind[] = ["secret", "email", "cn_id", "iban", "card", "ssn", "phone", "ip"];

/** A piece of personal data: UTF-16 offsets into the original text, end exclusive. */
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
}

/** The placeholder that replaces a kind. */
export function placeholder(kind: PiiKind): string {
  return `[${kind}]`;
}

// Full-width ASCII (U+FF01–FF5E), the ideographic space, no-break space and Unicode dashes map
// one UTF-16 unit to one, so offsets into the normalised text are offsets into the original.
const WIDE = /[\uFF01-\uFF5E\u3000\u00A0\u2010-\u2015\u2212]/;
const WIDE_ALL = /[\uFF01-\uFF5E\u3000\u00A0\u2010-\u2015\u2212]/g;

/** The text detection runs on: same length, full-width digits and punctuation made ASCII. */
export function normalizeForDetection(text: string): string {
  if (!WIDE.test(text)) return text;
  return text.replace(WIDE_ALL, (c) => {
    const code = c.charCodeAt(0);
    if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xfee0);
    return code === 0x3000 || code === 0x00a0 ? " " : "-";
  });
}

/** A candidate span and the rule's rank (lower wins a tie on start and length). */
interface Candidate extends PiiSpan {
  rank: number;
}

type Sink = (kind: PiiKind, start: number, end: number) => void;

// No pattern here may backtrack polynomially (test/unit/regex-safety.test.ts asks recheck).
// A run of blanks is always followed by something that is not a blank, so it is read once:
// `[ \t]*(?:是)?[ \t]*[:=]?[ \t]*` tried every split of 3,990 spaces into three runs before
// failing (25 s). A trailing run (`x+$`) has a lookbehind: without it each position inside
// a long run that is not at the end starts a match again.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

// Phones. International numbers need a leading + (or (+cc)); national formats only for CN
// (mobile 1[3-9]…, landline 0AA-…) and NANP with separators, whose shapes are distinctive.
// Every group boundary needs a separator, so a digit run is consumed whole (no backtracking
// blow-up on long runs).
const PHONE_INTL = /(?<![\w+])(?:\(\+\d{1,4}\)[ .-]?\d{1,15}|\+\d{1,15})(?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,15}|[ .-]\d{1,15})*(?!\d)/g;
const PHONE_CN_MOBILE = /(?<![\w+.-])1[3-9]\d(?:\d{8}|([ .-])\d{4}\1\d{4})(?![\w-]|\.\d)/g;
const PHONE_CN_LANDLINE = /(?<![\w+.-])(?:\(0[1-9]\d{1,2}\) ?|0[1-9]\d{1,2}[ -])[2-9]\d{6,7}(?![\w-]|\.\d)/g;
const PHONE_NANP = /(?<![\w+.-])(?:1[ .-]?)?(?:\([2-9]\d{2}\) ?[2-9]\d{2}[ .-]|[2-9]\d{2}([ .-])[2-9]\d{2}\1)\d{4}(?![\w-]|\.\d)/g;
/** Text just before a number that makes it an order or tracking id, not a phone or card. */
const ID_CONTEXT = /(?:订单|单号|运单|快递|物流|编号|交易号|流水号|order|tracking|invoice|parcel|shipment|ref|#)\s*(?:(?:号|编号|number|no\.?|id)\s*)?(?:[:#]\s*)?$/i;

// Cards are written as one run or in groups of 3+ digits (4-4-4-4, 4-6-5, 6-13).
const CARD = /(?<![\w.,-])\d{3,19}(?:[ -]\d{3,19}){0,6}(?![\w-]|[.,]\d)/g;
const SSN = /(?<![\w.-])(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g;
const CN_ID = /(?<![\w-])(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]|91)\d{4} ?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]) ?\d{3}[\dXx](?![\w-])/g;
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/g;

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?![\\w]|\\.\\d)`, "g");
const VERSION_CONTEXT = /(?:\b(?:version|ver\.?|release|build|firmware)|版本号?)\s*(?::\s*)?$/i;
const IPV6_GATE = /[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:/;
const IPV6 = /(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,45}(?:\.\d{1,3}){0,3}(?![\w:]|\.\d)/g;

// Secrets. The value is the last part of each match; only the value is replaced, so the
// reader still sees "password: [secret]".
const SECRET_WORDS_EN =
  "password|passwd|passcode|pwd|pw|pin(?: code| number)?|otp|one[- ]time (?:password|code|passcode)|(?:verification|security|auth|authentication|login|2fa|sms) code|cvv2?|cvc2?|api[ _-]?key|secret key|access token|token";
/** Keyword, then `:`/`=`, or is/was, or (for digits) just a space; then the value. */
const SECRET_EN = new RegExp(
  `(?<![\\w-])(${SECRET_WORDS_EN})(?:[ \\t]*([:=])[ \\t]*|[ \\t]+(is|was)[ \\t]+(?:[:=][ \\t]*)?|[ \\t]+(?=\\d{3,8}(?!\\d)))("[^"\\n]{1,128}"|'[^'\\n]{1,128}'|[!-~]{1,128})`,
  "gi",
);
/** Card security codes have 3 digits; every other secret value needs 4 characters. */
const SHORT_SECRET = /^(?:cvv|cvc|security code)/i;
/** Keyword, then 是/为 and `:`/`=` (each optional, group 1), then the value (group 2). */
const SECRET_ZH = /(?:密码|口令|验证码|校验码|动态码|安全码|授权码|提取码|PIN码)[ \t]*((?:(?:是|为)[ \t]*)?(?:[:=][ \t]*)?)([!-~]{1,128})/g;
const SECRET_PARAM =
  /(?<=^|[?&#;\s])(?:access_token|refresh_token|id_token|auth_token|reset_token|token|auth|authorization|api_key|apikey|access_key|secret_key|private_key|client_secret|secret|key|password|passwd|pass|pwd|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|sessionid|session_id|session|sid|code|otp|jwt)=([^&#;\s"'<>]{1,512})/gi;
const SECRET_USERINFO = /(?<![\w+.-])[A-Za-z][A-Za-z0-9+.-]{1,15}:\/\/([^\s/?#@:]{1,128}:[^\s/?#@]{1,256})@/g;
const SECRET_TOKEN =
  /(?<![\w-])(?:eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|hf_[A-Za-z0-9_-]{43}|sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})(?![\w-])/g;
const BEARER = /(?<![\w-])Bearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)/gi;
const TRAILING_PUNCT = /(?<![.,;:!?)\]}>])[.,;:!?)\]}>]+$/;

function each(re: RegExp, s: string, visit: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    visit(m);
    if (m[0].length === 0) re.lastIndex++;
  }
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, "");
}

function before(s: string, start: number): string {
  return s.slice(Math.max(0, start - 16), start);
}

function findPhones(s: string, add: Sink): void {
  each(PHONE_INTL, s, (m) => {
    // A greedy match may run into a following number; drop trailing groups past 15 digits.
    let text = m[0];
    while (digitsOf(text).length > 15) {
      const cut = Math.max(text.lastIndexOf(" "), text.lastIndexOf("-"), text.lastIndexOf("."), text.lastIndexOf("("));
      if (cut <= 0) return;
      text = text.slice(0, cut).replace(/(?<![ .(-])[ .(-]+$/, "");
    }
    const n = digitsOf(text).length;
    if (n >= 8 && n <= 15) add("phone", m.index, m.index + text.length);
  });
  each(PHONE_CN_MOBILE, s, (m) => {
    if (m[1] === undefined && ID_CONTEXT.test(before(s, m.index))) return;
    add("phone", m.index, m.index + m[0].length);
  });
  each(PHONE_CN_LANDLINE, s, (m) => add("phone", m.index, m.index + m[0].length));
  each(PHONE_NANP, s, (m) => add("phone", m.index, m.index + m[0].length));
}

function findNumbers(s: string, add: Sink): void {
  each(CARD, s, (m) => {
    if (m[0].length < 13 || ID_CONTEXT.test(before(s, m.index))) return;
    // The run may join a card to a neighbouring number ("qty 120 4111 1111 1111 1111"):
    // try runs of whole groups, longest first from each group.
    const groups: Array<{ start: number; digits: string }> = [];
    for (const g of m[0].matchAll(/\d+/g)) groups.push({ start: m.index + g.index, digits: g[0] });
    for (let i = 0; i < groups.length; i++) {
      for (let j = groups.length - 1; j >= i; j--) {
        const digits = groups.slice(i, j + 1).map((g) => g.digits).join("");
        if (digits.length > 19 || !isCardNumber(digits)) continue;
        add("card", groups[i]!.start, groups[j]!.start + groups[j]!.digits.length);
        i = j;
        break;
      }
    }
  });
  each(SSN, s, (m) => add("ssn", m.index, m.index + m[0].length));
  each(CN_ID, s, (m) => {
    if (isCnIdChecksum(m[0].replace(/ /g, ""))) add("cn_id", m.index, m.index + m[0].length);
  });
  each(IBAN, s, (m) => {
    const length = ibanLength(m[0].slice(0, 2));
    if (length === undefined) {
      IBAN.lastIndex = m.index + 4;
      return;
    }
    // Take exactly the country's length; the candidate may have run into the next word.
    let end = 0;
    let compact = "";
    for (; end < m[0].length && compact.length < length; end++) if (m[0][end] !== " ") compact += m[0][end];
    const after = s[m.index + end];
    if ((after === undefined || !/[A-Za-z0-9]/.test(after)) && isIban(compact)) {
      add("iban", m.index, m.index + end);
      IBAN.lastIndex = m.index + end;
    } else {
      IBAN.lastIndex = m.index + 4;
    }
  });
  if (s.includes(".")) {
    each(IPV4, s, (m) => {
      if (!VERSION_CONTEXT.test(before(s, m.index))) add("ip", m.index, m.index + m[0].length);
    });
  }
}

function findSecrets(s: string, add: Sink): void {
  const value = (m: RegExpExecArray, raw: string, needsNonLetter: boolean, minLength = 4) => {
    let v = raw;
    const quoted = /^(["']).*\1$/.test(v) && v.length > 2;
    if (quoted) v = v.slice(1, -1);
    else v = v.replace(TRAILING_PUNCT, "");
    if (v.length < minLength || (needsNonLetter && /^[A-Za-z]+$/.test(v))) return;
    const end = m.index + m[0].length - (raw.length - v.length - (quoted ? 1 : 0));
    add("secret", end - v.length, end);
  };
  each(SECRET_EN, s, (m) => {
    // `?token=…` is a URL parameter, left to SECRET_PARAM, whose value stops at `&`.
    if (m[2] === "=" && /[?&;#]/.test(s[m.index - 1] ?? "")) return;
    value(m, m[4]!, m[3] !== undefined, SHORT_SECRET.test(m[1]!) ? 3 : 4);
  });
  // Without 是/为/: the value must not be a plain word ("忘记密码 please help").
  each(SECRET_ZH, s, (m) => value(m, m[2]!, m[1]!.trim() === ""));
  if (s.includes("=")) {
    each(SECRET_PARAM, s, (m) => {
      const v = m[1]!.replace(TRAILING_PUNCT, "");
      const start = m.index + m[0].length - m[1]!.length;
      add("secret", start, start + v.length);
    });
  }
  if (s.includes("://")) each(SECRET_USERINFO, s, (m) => add("secret", m.index + m[0].length - 1 - m[1]!.length, m.index + m[0].length - 1));
  each(SECRET_TOKEN, s, (m) => add("secret", m.index, m.index + m[0].length));
  each(BEARER, s, (m) => add("secret", m.index + m[0].length - m[1]!.length, m.index + m[0].length));
}

/**
 * Finds personal data, non-overlapping and in order. Never throws: on an unexpected internal
 * error it fails closed, reporting the whole text as one `secret` span.
 */
export function findPii(text: string): PiiSpan[] {
  if (typeof text !== "string" || text.length === 0) return [];
  try {
    const s = normalizeForDetection(text);
    const found: Candidate[] = [];
    const add: Sink = (kind, start, end) => {
      if (end > start) found.push({ kind, start, end, rank: PII_KINDS.indexOf(kind) });
    };
    findSecrets(s, add);
    if (s.includes("@")) each(EMAIL, s, (m) => add("email", m.index, m.index + m[0].length));
    if (/\d/.test(s)) {
      findPhones(s, add);
      findNumbers(s, add);
    }
    if (IPV6_GATE.test(s)) {
      each(IPV6, s, (m) => {
        if (isIpv6(m[0])) add("ip", m.index, m.index + m[0].length);
      });
    }
    return resolve(found);
  } catch {
    return [{ kind: "secret", start: 0, end: text.length }];
  }
}

/** Earliest first; at the same start the longer span, then the lower rank. */
function resolve(found: Candidate[]): PiiSpan[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  const out: PiiSpan[] = [];
  let reached = 0;
  for (const c of found) {
    if (c.start < reached) continue;
    out.push({ kind: c.kind, start: c.start, end: c.end });
    reached = c.end;
  }
  return out;
}

/** The text with each piece of personal data replaced by its placeholder, and the kinds found. */
export function redact(text: string): { text: string; kinds: PiiKind[] } {
  const spans = findPii(text);
  if (!spans.length) return { text: typeof text === "string" ? text : "", kinds: [] };
  let out = "";
  let at = 0;
  const kinds: PiiKind[] = [];
  for (const span of spans) {
    out += text.slice(at, span.start) + placeholder(span.kind);
    at = span.end;
    if (!kinds.includes(span.kind)) kinds.push(span.kind);
  }
  return { text: out + text.slice(at), kinds };
}
