// recheck's verdict on a regular expression: its automaton checker where it applies (exact,
// with a degree), else its fuzzer, seeded. The fuzzer's own limits on one match are left at
// recheck's defaults: there, running out of time counts as an attack found, so a busy machine
// can only make a safe pattern look unsafe, never the reverse. The limit on a whole check is
// raised so that a slow machine does not turn a verdict into "unknown".
import { check, type Diagnostics, type Parameters } from "recheck";

export const RECHECK_PARAMS: Parameters = { randomSeed: 0, timeout: 300_000, attackTimeout: null, incubationTimeout: null, seedingTimeout: null, attackLimit: 100_000_000 };

/** recheck's verdict on one pattern. `d` (match indices) changes no matching; recheck lacks it. */
export function verdictOf(source: string, flags: string): Promise<Diagnostics> {
  return check(source, flags.replace("d", ""), RECHECK_PARAMS);
}

/** The verdicts on many patterns, two at a time (the machine has two cores). */
export async function verdictsOf<T extends { source: string; flags: string }>(regexes: readonly T[]): Promise<Array<[T, Diagnostics]>> {
  const out: Array<[T, Diagnostics]> = [];
  let next = 0;
  const worker = async () => {
    while (next < regexes.length) {
      const r = regexes[next++]!;
      out.push([r, await verdictOf(r.source, r.flags)]);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** One line per unsafe verdict: where, the pattern, the complexity and recheck's attack string. */
export function verdictLine(where: string, d: Diagnostics): string {
  const pattern = `/${d.source}/${d.flags}`;
  if (d.status === "safe") return `${where} ${pattern}: safe`;
  if (d.status === "unknown") return `${where} ${pattern}: unknown (${d.error.kind})`;
  return `${where} ${pattern}: ${d.complexity.summary}, e.g. ${d.attack.pattern}`;
}
