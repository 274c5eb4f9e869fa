// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Each record keeps
// the line it starts on, for error messages.
import { ImportError } from "./import-error.ts";

export interface CsvRecord {
  line: number;
  fields: string[];
}

export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let atFieldStart = true;
  const src = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      atFieldStart = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && src[i + 1] === "\n") i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== "") records.push({ line: start, fields });
      fields = [];
      field = "";
      atFieldStart = true;
      line++;
      start = line;
    } else {
      if (c === '"') throw new ImportError(file, line, "a quote inside an unquoted field");
      field += c;
      atFieldStart = false;
    }
  }
  if (quoted) throw new ImportError(file, start, "a quoted field is never closed");
  fields.push(field);
  if (fields.length > 1 || fields[0] !== "") records.push({ line: start, fields });
  return records;
}
