// Article vectors as the replica keeps them: one vector per text a customer might type (the
// title, each example question, each learned question), not a centroid per article. The
// similarity of a question to an article is the best match among its texts: an article's
// questions are often different ways in (a lost card, a stolen card), and a centroid of
// them resembles none. One vector per text is also what cross-validation needs: a held-out
// question's own vector is left out exactly, as its text is left out of the classifier.
// Stored and held as int8 with a scale per vector (a quarter of float32; cosine moves by
// well under 1%), so 400 articles × 16 texts × 1024 dimensions stay near 6.5 MB.

/** At most this many texts per article get vectors: its title, then questions, then learned ones. */
export const MAX_VECTORS_PER_ARTICLE = 16;

/** The texts of an article that get vectors, in stored order. */
export function vectorTexts(article: { title: string; questions: string[]; learned?: string[] }): string[] {
  return [article.title, ...article.questions, ...(article.learned ?? [])].slice(0, MAX_VECTORS_PER_ARTICLE);
}

/** Vectors of many articles, grouped by class: class c's rows are start[c] … start[c + 1] − 1. */
export interface VectorIndex {
  space: string;
  dims: number;
  start: Int32Array;
  /** Row-major int8 components; a row's value is scale[row] × data. */
  data: Int8Array;
  scale: Float32Array;
}

/** One article's vectors as bytes: count, dims (u32 LE), a float32 scale per vector, then int8 components. */
export function encodeVectors(vectors: Float32Array[]): Uint8Array {
  const dims = vectors[0]?.length ?? 0;
  const out = new Uint8Array(8 + vectors.length * 4 + vectors.length * dims);
  const view = new DataView(out.buffer);
  view.setUint32(0, vectors.length, true);
  view.setUint32(4, dims, true);
  vectors.forEach((v, r) => {
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    const scale = max / 127 || 1;
    view.setFloat32(8 + r * 4, scale, true);
    const at = 8 + vectors.length * 4 + r * dims;
    for (let k = 0; k < dims; k++) view.setInt8(at + k, Math.round(v[k]! / scale));
  });
  return out;
}

export function decodeVectors(bytes: Uint8Array): { dims: number; scale: Float32Array; data: Int8Array } {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const count = view.getUint32(0, true);
  const dims = view.getUint32(4, true);
  return { dims, scale: new Float32Array(copy.buffer, 8, count), data: new Int8Array(copy.buffer, 8 + count * 4, count * dims) };
}

/**
 * The vectors of `classes` (article ids, in the model's order) as one index; a class with no
 * stored vectors gets none (an article the model knows but the copy no longer holds). Null
 * when the articles' vectors do not share one length.
 */
export function buildIndex(space: string, classes: string[], stored: Map<string, Uint8Array>): VectorIndex | null {
  const parts = classes.map((id) => (stored.has(id) ? decodeVectors(stored.get(id)!) : null));
  const dims = parts.find((p) => p && p.scale.length)?.dims ?? 0;
  if (!dims || parts.some((p) => p && p.scale.length && p.dims !== dims)) return null;
  const start = new Int32Array(classes.length + 1);
  parts.forEach((p, c) => (start[c + 1] = start[c]! + (p?.scale.length ?? 0)));
  const rows = start[classes.length]!;
  const data = new Int8Array(rows * dims);
  const scale = new Float32Array(rows);
  parts.forEach((p, c) => {
    if (!p) return;
    data.set(p.data, start[c]! * dims);
    scale.set(p.scale, start[c]!);
  });
  return { space, dims, start, data, scale };
}

/** Cosine similarity of a unit query vector to a row. */
export function rowSimilarity(index: VectorIndex, row: number, query: Float32Array): number {
  const at = row * index.dims;
  let dot = 0;
  for (let k = 0; k < index.dims; k++) dot += index.data[at + k]! * query[k]!;
  return dot * index.scale[row]!;
}

/** A row as a float vector (a held-out text's own vector, as a question). */
export function rowVector(index: VectorIndex, row: number): Float32Array {
  const out = new Float32Array(index.dims);
  const at = row * index.dims;
  for (let k = 0; k < index.dims; k++) out[k] = index.data[at + k]! * index.scale[row]!;
  return out;
}

/** The best similarity of a query to any of a class's rows not skipped; -1 when it has none. */
export function classSimilarity(index: VectorIndex, cls: number, query: Float32Array, skipRow?: (row: number) => boolean): number {
  let best = -1;
  for (let r = index.start[cls]!; r < index.start[cls + 1]!; r++) if (!skipRow?.(r)) best = Math.max(best, rowSimilarity(index, r, query));
  return best;
}
