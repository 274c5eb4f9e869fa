// Loads a dump into an empty database: tables first, their rows page by page, sequences,
// then indexes, triggers and views (after the data, so triggers do not fire on it). Any line
// that is not what the format allows where it stands stops the load: a damaged dump is
// refused, never half restored. Pure: statements go to a port (one transaction, the caller's).
import { decodeValue, ident, parseLine, type DumpHeader } from "./dump-format.ts";

export interface Statement {
  sql: string;
  args: Array<null | string | number | bigint | Uint8Array>;
}

/** What a complete dump said and held. */
export interface Loaded {
  header: DumpHeader;
  /** Rows per table as the end line states them. */
  stated: Record<string, number>;
  /** Rows per table as loaded. */
  loaded: Record<string, number>;
}

/** The dump is not well formed; `line` is its 1-based number (0: it ended early). */
export class DumpFormatError extends Error {
  readonly line: number;
  constructor(line: number, issue: string) {
    super(`dump line ${line}: ${issue}`);
    this.name = "DumpFormatError";
    this.line = line;
  }
}

/** Reads `lines` (a dump, one JSON object per line) and applies each batch of statements through `apply`. */
export async function loadDump(lines: AsyncIterable<string>, apply: (statements: Statement[]) => Promise<void>): Promise<Loaded> {
  let header: DumpHeader | null = null;
  let stated: Record<string, number> | null = null;
  const columns = new Map<string, string[]>();
  const loaded: Record<string, number> = {};
  let n = 0;
  for await (const text of lines) {
    n++;
    if (!text.trim()) continue;
    if (stated) throw new DumpFormatError(n, "content after the end line");
    const line = parseLine(text);
    if (!line) throw new DumpFormatError(n, "not a dump line");
    if (!header && line.type !== "header") throw new DumpFormatError(n, "the first line must be the header");
    switch (line.type) {
      case "header": {
        if (header) throw new DumpFormatError(n, "a second header");
        const { type: _type, ...rest } = line;
        header = rest;
        break;
      }
      case "table":
        if (columns.has(line.name)) throw new DumpFormatError(n, "a table twice");
        columns.set(line.name, line.columns);
        loaded[line.name] = 0;
        await apply([{ sql: line.sql, args: [] }]);
        break;
      case "rows": {
        const cols = columns.get(line.table);
        if (!cols) throw new DumpFormatError(n, "rows of a table not yet created");
        if (line.rows.some((r) => r.length !== cols.length)) throw new DumpFormatError(n, "a row with the wrong number of values");
        const insert = `INSERT INTO ${ident(line.table)} (${cols.map(ident).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`;
        try {
          await apply(line.rows.map((r) => ({ sql: insert, args: r.map(decodeValue) })));
        } catch (err) {
          if (err instanceof TypeError) throw new DumpFormatError(n, err.message);
          throw err;
        }
        loaded[line.table]! += line.rows.length;
        break;
      }
      case "sequence":
        await apply([
          { sql: "DELETE FROM sqlite_sequence WHERE name = ?", args: [line.name] },
          { sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", args: [line.name, BigInt(line.seq)] },
        ]);
        break;
      case "schema":
        await apply([{ sql: line.sql, args: [] }]);
        break;
      case "end":
        stated = line.tables;
        break;
    }
  }
  if (!header) throw new DumpFormatError(0, "the dump is empty");
  if (!stated) throw new DumpFormatError(0, "the dump ends before its end line (truncated)");
  return { header, stated, loaded };
}
