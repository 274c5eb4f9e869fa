// Statements the dev endpoint refuses: ATTACH and DETACH (and VACUUM INTO), which would let
// a client open, create or write any file the developer can reach. Literals, quoted names
// and comments are blanked out first, so an article that mentions "attach" still goes
// through; a bare column named attach is refused too, which errs on the safe side.

/** The SQL with string and blob literals, quoted identifiers and comments blanked out. */
export function codeOnly(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, " ");
}

/** Why a statement text is refused, or null when it may run. */
export function refusedStatement(sql: string): "attach" | "detach" | "vacuum_into" | null {
  const code = codeOnly(sql);
  if (/\battach\b/i.test(code)) return "attach";
  if (/\bdetach\b/i.test(code)) return "detach";
  if (/\bvacuum\b[\s\S]*\binto\b/i.test(code)) return "vacuum_into";
  return null;
}
