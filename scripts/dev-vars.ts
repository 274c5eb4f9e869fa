// Local secrets in .dev.vars (read by `wrangler dev`), shared by `npm start` and
// `npm run libsql`: created with mode 0600, never committed.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export const DEV_VARS = resolve(import.meta.dirname, "../.dev.vars");

const HEADER = "# Local secrets, created by npm start. Never commit this file.\n";

function read(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : HEADER;
}

const line = (name: string) => new RegExp(`^${name}=.*$`, "m");

/**
 * Adds a fresh value for each variable that is missing (a generator per name, or 32 random
 * bytes in hex for a bare list of names); returns the names added.
 */
export function ensureDevVars(wanted: readonly string[] | Record<string, () => string>, path = DEV_VARS): string[] {
  const fresh: Record<string, () => string> = Array.isArray(wanted) ? Object.fromEntries(wanted.map((n) => [n, () => randomBytes(32).toString("hex")])) : (wanted as Record<string, () => string>);
  let text = read(path);
  const added = Object.keys(fresh).filter((name) => !line(name).test(text));
  for (const name of added) text += `${name}="${fresh[name]!()}"\n`;
  if (added.length || !existsSync(path)) writeFileSync(path, text, { mode: 0o600 });
  return added;
}

/** Sets one variable, replacing its line if present. */
export function setDevVar(name: string, value: string, path = DEV_VARS): void {
  const text = read(path);
  const entry = `${name}="${value}"`;
  writeFileSync(path, line(name).test(text) ? text.replace(line(name), () => entry) : `${text}${entry}\n`, { mode: 0o600 });
}

/** One variable's value, or undefined. */
export function readDevVar(name: string, path = DEV_VARS): string | undefined {
  const m = new RegExp(`^${name}="?([^"\n]*)"?$`, "m").exec(read(path));
  return m?.[1];
}
