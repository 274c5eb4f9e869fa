// A deterministic byte source for tests that make keys and ids (production uses
// crypto.getRandomValues); built on the project's one seeded PRNG.
import { seededRandom } from "../../src/kb/model/classifier.ts";

/** `random(n)` returning n bytes from a PRNG seeded with `seed`. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  const next = seededRandom(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}
