// SQL text split into tokens by SQLite's own rules (tokenize.c): what the dev endpoint's guard
// reads, so that a name inside a comment, a string or a quoted identifier is seen exactly as
// the engine sees it. Where this tokenizer and SQLite could differ (a character SQLite would
// take as part of a name, say), the text is refused rather than guessed at.

export type TokenKind = "word" | "quoted" | "string" | "number" | "blob" | "variable" | "punct";

export interface Token {
  kind: TokenKind;
  /** Punctuation and numbers as written; for words, quoted identifiers and strings, the name they spell; ASCII lower-cased. */
  text: string;
}

/** SQL text the tokenizer cannot read as SQLite would. */
export class TokenError extends Error {}

const SPACE = new Set([" ", "\t", "\n", "\f", "\r"]);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
/** Where a name may start: ASCII letters, `_`, and any non-ASCII character (SQLite's IdChar). */
const isIdStart = (c: string | undefined) => c !== undefined && (/^[A-Za-z_]$/.test(c) || c.charCodeAt(0) >= 0x80);
const isIdChar = (c: string | undefined) => isIdStart(c) || isDigit(c) || c === "$";
/** SQLite folds only ASCII letters when it compares names. */
export const foldName = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Two- and three-character operators, longest first. */
const OPERATORS = ["->>", "->", "==", "<=", "<>", "<<", ">=", ">>", "!=", "||"];
const SINGLE = new Set(["(", ")", ";", ",", ".", "+", "-", "*", "/", "%", "=", "<", ">", "|", "&", "~"]);

export function tokenize(sql: string): Token[] {
  if (sql.includes("\0")) throw new TokenError("a NUL character");
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    if (SPACE.has(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === "`") {
      const [text, next] = quoted(sql, i);
      tokens.push({ kind: c === "'" ? "string" : "quoted", text: foldName(text) });
      i = next;
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      if (end < 0) throw new TokenError("an unterminated [name]");
      tokens.push({ kind: "quoted", text: foldName(sql.slice(i + 1, end)) });
      i = end + 1;
    } else if (isDigit(c) || (c === "." && isDigit(sql[i + 1]))) {
      const end = number(sql, i);
      tokens.push({ kind: "number", text: foldName(sql.slice(i, end)) });
      i = end;
    } else if ((c === "x" || c === "X") && sql[i + 1] === "'") {
      const end = sql.indexOf("'", i + 2);
      const hex = end < 0 ? "" : sql.slice(i + 2, end);
      if (end < 0 || hex.length % 2 !== 0 || ![...hex].every(isHex)) throw new TokenError("a malformed blob literal");
      tokens.push({ kind: "blob", text: "" });
      i = end + 1;
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (isIdChar(sql[j])) j++;
      tokens.push({ kind: "word", text: foldName(sql.slice(i, j)) });
      i = j;
    } else if (c === "?") {
      i++;
      while (isDigit(sql[i])) i++;
      tokens.push({ kind: "variable", text: "" });
    } else if (c === "$" || c === "@" || c === ":" || c === "#") {
      i = variable(sql, i);
      tokens.push({ kind: "variable", text: "" });
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i)) ?? (SINGLE.has(c) ? c : null);
      if (op === null) throw new TokenError(`the character U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
      tokens.push({ kind: "punct", text: op });
      i += op.length;
    }
  }
  return tokens;
}

/** A '…', "…" or `…` token: its text with doubled delimiters undone, and where it ends. */
function quoted(sql: string, start: number): [string, number] {
  const q = sql[start]!;
  let text = "";
  let j = start + 1;
  for (;;) {
    const k = sql.indexOf(q, j);
    if (k < 0) throw new TokenError("an unterminated quote");
    text += sql.slice(j, k);
    if (sql[k + 1] !== q) return [text, k + 1];
    text += q;
    j = k + 2;
  }
}

function number(sql: string, start: number): number {
  let j = start;
  if (sql[j] === "0" && (sql[j + 1] === "x" || sql[j + 1] === "X") && isHex(sql[j + 2])) {
    j += 2;
    while (isHex(sql[j])) j++;
  } else {
    while (isDigit(sql[j])) j++;
    if (sql[j] === ".") {
      j++;
      while (isDigit(sql[j])) j++;
    }
    if ((sql[j] === "e" || sql[j] === "E") && (isDigit(sql[j + 1]) || ((sql[j + 1] === "+" || sql[j + 1] === "-") && isDigit(sql[j + 2])))) {
      j += 2;
      while (isDigit(sql[j])) j++;
    }
  }
  // SQLite makes `1abc` one illegal token.
  if (isIdChar(sql[j])) throw new TokenError("a malformed number");
  return j;
}

/** `$name`, `@name`, `:name`, `#name`, with Tcl's `::` and `(…)` suffixes, as SQLite reads them. */
function variable(sql: string, start: number): number {
  let j = start + 1;
  let named = 0;
  for (; j < sql.length; j++) {
    const c = sql[j];
    if (isIdChar(c)) named++;
    else if (c === "(" && named > 0) {
      const close = sql.slice(j).search(/[\t\n\v\f\r )]/);
      if (close < 0 || sql[j + close] !== ")") throw new TokenError("a malformed parameter name");
      return j + close + 1;
    } else if (c === ":" && sql[j + 1] === ":") j++;
    else break;
  }
  if (named === 0) throw new TokenError("a parameter without a name");
  return j;
}
