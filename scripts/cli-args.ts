// Command-line values the scripts share the reading of.

/** A flag's value as a positive integer; throws naming the flag otherwise. */
export function positiveInt(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
  return n;
}
