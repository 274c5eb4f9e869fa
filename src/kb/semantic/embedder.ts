// The embeddings port: texts in, one unit-length vector each out. Optional (off by default:
// nothing on a development machine can run a model); retrieval without it is lexical, the
// normal path. Providers live in src/platform/embeddings/.

export interface Embedder {
  /** What the vectors mean: provider and model (`openai:bge-m3`). Vectors of another space are never compared. */
  readonly space: string;
  /** One vector per text, in order, L2-normalised. Throws EmbeddingError. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** An embeddings call failed. The detail is a status or an error name, never text sent or received. */
export class EmbeddingError extends Error {
  readonly kind: "unreachable" | "status" | "rate_limited" | "malformed" | "timeout";
  constructor(kind: EmbeddingError["kind"], detail: string) {
    super(`embeddings ${kind}: ${detail}`);
    this.name = "EmbeddingError";
    this.kind = kind;
  }
}

/** A vector scaled to unit length (a zero vector stays zero). */
export function unitVector(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values as ArrayLike<number>);
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/**
 * Checks a provider's answer: as many vectors as texts, all of one length, finite numbers;
 * returns them normalised (providers differ on whether they normalise).
 */
export function checkedVectors(vectors: unknown, count: number): Float32Array[] {
  if (!Array.isArray(vectors) || vectors.length !== count) throw new EmbeddingError("malformed", "vector count");
  const dims = (vectors[0] as unknown[] | undefined)?.length ?? 0;
  return vectors.map((v: unknown) => {
    if (!Array.isArray(v) || v.length !== dims || dims === 0 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) throw new EmbeddingError("malformed", "vector shape");
    return unitVector(v as number[]);
  });
}
