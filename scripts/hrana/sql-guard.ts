// What the dev endpoint runs: the statements the Worker and the KB tooling send, and nothing
// else. The bundled engine has SQLite's shell functions (readfile, writefile, fsdir, …), so
// anything outside this list could read or write the developer's files. The text is read
// with SQLite's tokenizer rules (sql-tokens.ts), never matched as raw text, and:
//
// - every statement is one of the allowed kinds: SELECT / VALUES / WITH, INSERT / REPLACE /
//   UPDATE / DELETE, CREATE TABLE / INDEX / TRIGGER / VIEW / VIRTUAL TABLE … USING fts5,
//   DROP and ALTER of those (migrations), transaction control, and `PRAGMA foreign_keys`
//   (drizzle's migrator). ATTACH, DETACH, VACUUM, other PRAGMAs, TEMP objects: refused;
// - a call to any function the engine has that is not in FUNCTIONS is refused, and so is any
//   name of a virtual-table module (fsdir, json_each, dbstat, …; also as 'a string', which
//   SQLite accepts as a table name) and any `sqlite_…` or `pragma_…` name — except that a
//   SELECT may read the schema and the AUTOINCREMENT counters (the KB backup dumps them);
// - the tables a statement reads or writes (FROM, JOIN, INTO, UPDATE, IN, ON) are the
//   database's own tables (its sqlite_schema, read on every schema change, so a migration's
//   new table is allowed as soon as it exists), or ones the same text creates, or its CTEs.
// The first two are the boundary; the third keeps the endpoint to the KB schema.
import { tokenize, TokenError, type Token } from "./sql-tokens.ts";

export interface Catalog {
  /** Tables and views of the database (its sqlite_schema), names folded. */
  tables: ReadonlySet<string>;
  /** Functions the engine has (PRAGMA function_list). */
  functions: ReadonlySet<string>;
  /** Virtual-table modules the engine has (PRAGMA module_list). */
  modules: ReadonlySet<string>;
}

/** Functions a statement may call: SQLite's core scalar, aggregate, date, JSON and window functions. */
const FUNCTIONS = new Set(
  (
    "abs avg changes char coalesce concat concat_ws count cume_dist date datetime dense_rank first_value format glob group_concat hex ifnull iif instr " +
    "json json_array json_array_length json_error_position json_extract json_group_array json_group_object json_insert json_object json_patch json_quote " +
    "json_remove json_replace json_set json_type json_valid julianday lag last_insert_rowid last_value lead length like likelihood likely lower ltrim max min " +
    "nth_value ntile nullif octet_length percent_rank printf quote random randomblob rank replace round row_number rtrim sign strftime string_agg substr " +
    "substring sum time timediff total total_changes trim typeof unhex unicode unixepoch unlikely upper match regexp bm25 highlight snippet"
  ).split(" "),
);
/** SQLite's file functions: refused even in a build of the engine that lacks them. */
const FILE_FUNCTIONS = new Set(["readfile", "writefile", "edit", "fsdir", "lsmode", "load_extension"]);
/** Modules `CREATE VIRTUAL TABLE … USING` may name. */
const MODULES = new Set(["fts5"]);
/** PRAGMAs that may be read or set, with the values they may be set to. */
const PRAGMAS = new Map([["foreign_keys", new Set(["on", "off", "true", "false", "yes", "no", "0", "1"])]]);
/** Words after which a FROM clause's list of tables has ended. */
const FROM_ENDS = new Set(["where", "group", "having", "order", "limit", "union", "intersect", "except", "select", "values", "set", "returning"]);
const TRANSACTION = new Set(["begin", "commit", "end", "rollback", "savepoint", "release"]);
/** Engine tables a SELECT may read (src/backup/dump.ts reads them); nothing may write them. */
const READABLE = new Set(["sqlite_schema", "sqlite_master", "sqlite_sequence"]);
const QUERY = new Set(["select", "values", "with", "insert", "replace", "update", "delete"]);

const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === "word" && words.includes(t.text);
const isPunct = (t: Token | undefined, p: string) => t?.kind === "punct" && t.text === p;
/** A token that can name a table: a word, a quoted identifier, or a string (SQLite takes 'x' as a name there). */
const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === "word" || t.kind === "quoted" || t.kind === "string");

/** Why the dev endpoint refuses this SQL text, or null when it may run. */
export function refusal(sql: string, catalog: Catalog): string | null {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch (err) {
    if (err instanceof TokenError) return `the SQL text has ${err.message}`;
    throw err;
  }
  const created = new Set<string>();
  const statements: Token[][] = [[]];
  for (const t of tokens) {
    if (isPunct(t, ";")) statements.push([]);
    else statements.at(-1)!.push(t);
  }
  const nonEmpty = statements.filter((s) => s.length > 0);
  for (const s of nonEmpty) {
    const named = namesRefusal(s, catalog, isWord(s[0], "select"));
    if (named) return named;
  }
  for (const s of nonEmpty) {
    const reads = isWord(s[0], "select");
    const why = statementRefusal(s, (name) => catalog.tables.has(name) || created.has(name) || (reads && READABLE.has(name)), created);
    if (why) return why;
  }
  return null;
}

/** Functions, modules and internal names, wherever they appear (`reads`: a SELECT, which may read READABLE). */
function namesRefusal(tokens: Token[], catalog: Catalog, reads: boolean): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isName(t)) continue;
    const name = t.text;
    const declaredModule = isWord(tokens[i - 1], "using") && MODULES.has(name);
    if (reads && READABLE.has(name)) continue;
    if (name.startsWith("sqlite_") || name.startsWith("pragma_")) return `${name} is internal to the engine`;
    if (catalog.modules.has(name) && !declaredModule) return `the virtual table ${name} is not allowed`;
    const called = t.kind !== "string" && isPunct(tokens[i + 1], "(") && !declaredModule;
    if (called && (catalog.functions.has(name) || FILE_FUNCTIONS.has(name)) && !FUNCTIONS.has(name)) return `the function ${name}() is not allowed`;
  }
  return null;
}

function statementRefusal(s: Token[], known: (name: string) => boolean, created: Set<string>): string | null {
  const verb = s[0]!.kind === "word" ? s[0]!.text : "";
  if (TRANSACTION.has(verb)) return null;
  if (QUERY.has(verb)) return tablesRefusal(s, 0, known);
  switch (verb) {
    case "pragma":
      return pragmaRefusal(s);
    case "create":
      return createRefusal(s, known, created);
    case "drop": {
      if (!isWord(s[1], "table", "view", "index", "trigger")) return "only tables, views, indexes and triggers may be dropped";
      const at = isWord(s[2], "if") ? 4 : 2;
      const target = nameAt(s, at);
      if (typeof target === "string") return target;
      return isWord(s[1], "table", "view") && !known(target.name) ? noSuchTable(target.name) : null;
    }
    case "alter": {
      const target = isWord(s[1], "table") ? nameAt(s, 2) : "only tables may be altered";
      if (typeof target === "string") return target;
      if (!known(target.name)) return noSuchTable(target.name);
      const renamed = s.findIndex((t, i) => isWord(t, "to") && isWord(s[i - 1], "rename"));
      if (renamed > 0 && isName(s[renamed + 1])) created.add(s[renamed + 1]!.text);
      return tablesRefusal(s, target.next, known);
    }
    default:
      return `${verb ? verb.toUpperCase() : "this kind of"} statement is not allowed`;
  }
}

function pragmaRefusal(s: Token[]): string | null {
  const target = nameAt(s, 1);
  if (typeof target === "string") return target;
  const values = PRAGMAS.get(target.name);
  if (!values || s[target.next - 1]!.kind !== "word") return `PRAGMA ${target.name} is not allowed`;
  const rest = s.slice(target.next);
  if (rest.length === 0) return null;
  const value = isPunct(rest[0], "=") && rest.length === 2 ? rest[1] : isPunct(rest[0], "(") && isPunct(rest[2], ")") && rest.length === 3 ? rest[1] : undefined;
  return value && (value.kind === "number" || isName(value)) && values.has(value.text) ? null : `PRAGMA ${target.name} may only be set to ${[...values].join(", ")}`;
}

function createRefusal(s: Token[], known: (name: string) => boolean, created: Set<string>): string | null {
  let i = isWord(s[1], "unique") ? 2 : 1;
  if (isWord(s[i], "temp", "temporary")) return "temporary tables, views and triggers are not allowed";
  const virtual = isWord(s[i], "virtual");
  if (virtual) i++;
  const kind = isWord(s[i], "table", "view", "index", "trigger") ? s[i]!.text : null;
  if (!kind || (virtual && kind !== "table")) return "only tables, indexes, triggers, views and fts5 virtual tables may be created";
  const target = nameAt(s, isWord(s[i + 1], "if") ? i + 4 : i + 1);
  if (typeof target === "string") return target;
  const ownKnown = (name: string) => known(name) || name === target.name;
  if (virtual) {
    const module = s[target.next + 1];
    if (!isWord(s[target.next], "using") || !module || !MODULES.has(module.text)) return `only ${[...MODULES].join(", ")} virtual tables may be created`;
    created.add(target.name);
    return null;
  }
  if (kind === "table" || kind === "view") {
    created.add(target.name);
    return tablesRefusal(s, target.next, ownKnown);
  }
  // An index or a trigger: ON the table it belongs to (the first ON at this level).
  let on = target.next;
  while (on < s.length && !isWord(s[on], "on")) on = isPunct(s[on], "(") ? afterGroup(s, on) : on + 1;
  const table = nameAt(s, on + 1);
  if (typeof table === "string") return table;
  if (!known(table.name)) return noSuchTable(table.name);
  return tablesRefusal(s, table.next, known);
}

/** `name` or `main.name` at s[i]: the name and the index after it, or why it is refused. */
function nameAt(s: Token[], i: number): { name: string; next: number } | string {
  if (!isName(s[i])) return "a statement names something other than a table where a table belongs";
  if (!isPunct(s[i + 1], ".")) return { name: s[i]!.text, next: i + 1 };
  if (s[i]!.text !== "main") return "only the main database may be named";
  return isName(s[i + 2]) ? { name: s[i + 2]!.text, next: i + 3 } : "a statement names something other than a table where a table belongs";
}

const noSuchTable = (name: string) => `no such table: ${name} (only the KB schema's tables are allowed)`;

/**
 * The tables named from s[start] on: FROM and JOIN lists (with subqueries and nested joins),
 * INSERT INTO, UPDATE, and `x IN table`. Each must be known or a CTE of this statement.
 */
function tablesRefusal(s: Token[], start: number, known: (name: string) => boolean): string | null {
  const ctes = cteNames(s);
  const check = (at: number): { next: number } | string => {
    const ref = nameAt(s, at);
    if (typeof ref === "string") return ref;
    return known(ref.name) || ctes.has(ref.name) ? ref : noSuchTable(ref.name);
  };
  const frames = [{ fromList: false, expectTable: false }];
  for (let i = start; i < s.length; i++) {
    const t = s[i]!;
    const frame = frames.at(-1)!;
    let table = -1;
    if (frame.expectTable) {
      frame.expectTable = false;
      if (isPunct(t, "(")) frames.push({ fromList: true, expectTable: true });
      else if (isWord(t, "select", "values", "with")) frame.fromList = false;
      else table = i;
    } else if (t.kind === "punct") {
      if (t.text === "(") frames.push({ fromList: false, expectTable: false });
      else if (t.text === ")" && frames.length > 1) frames.pop();
      else if (t.text === "," && frame.fromList) frame.expectTable = true;
    } else if (isWord(t, "from", "join")) {
      frame.fromList = true;
      frame.expectTable = true;
    } else if (isWord(t, "into")) table = i + 1;
    else if (isWord(t, "in") && isName(s[i + 1])) table = i + 1;
    else if (isWord(t, "update") && !isWord(s[i - 1], "on", "do", "before", "after", "of")) table = isWord(s[i + 1], "or") ? i + 3 : i + 1;
    else if (t.kind === "word" && FROM_ENDS.has(t.text)) frame.fromList = false;
    if (table >= 0) {
      const ref = check(table);
      if (typeof ref === "string") return ref;
      i = ref.next - 1;
    }
  }
  return null;
}

/** Names defined as `name [(columns)] AS [NOT] [MATERIALIZED] (`: common table expressions. */
function cteNames(s: Token[]): Set<string> {
  const names = new Set<string>();
  s.forEach((t, i) => {
    if (!isName(t)) return;
    let j = i + 1;
    if (isPunct(s[j], "(")) j = afterGroup(s, j);
    if (!isWord(s[j++], "as")) return;
    if (isWord(s[j], "not")) j++;
    if (isWord(s[j], "materialized")) j++;
    if (isPunct(s[j], "(")) names.add(t.text);
  });
  return names;
}

/** The index after the parenthesised group that opens at s[open]. */
function afterGroup(s: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    depth += isPunct(s[i], "(") ? 1 : isPunct(s[i], ")") ? -1 : 0;
    if (depth === 0) return i + 1;
  }
  return s.length;
}
