// What the replica stores per language after training: the classifier (when the language
// has one) with its articles' centroids, the exact-question index, and the tuning fitted
// by cross-validation. One blob, so that a restarted replica gets all of them back
// together; blobs written before the index and tuning existed still decode (as a
// classifier alone).
import { decodeCentroids, encodeCentroids, type Centroids } from "./centroids.ts";
import { decodeModel, encodeModel, type ClassifierModel } from "./classifier.ts";
import type { Tuning } from "./tuning.ts";

export interface KbModel {
  classifier: ClassifierModel | null;
  /** The articles' centroids in the classifier's feature space (see centroids.ts). */
  centroids: Centroids | null;
  /** Exact-question key → article id (see exact-match.ts). */
  exact: Map<string, string>;
  tuning: Tuning | null;
  /** Learned questions trained on (src/kb/learning): thresholds are fitted again as they grow. */
  learned?: number;
}

const MAGIC = [0x48, 0x46, 0x4b, 0x33]; // "HFK3"

/** Magic, header length, a JSON header (index, tuning, section sizes), the classifier's bytes, the centroids' bytes. */
export function encodeKbModel(model: KbModel): Uint8Array {
  const classifier = model.classifier ? encodeModel(model.classifier) : new Uint8Array(0);
  const centroids = model.centroids ? encodeCentroids(model.centroids) : new Uint8Array(0);
  const header = new TextEncoder().encode(JSON.stringify({ exact: [...model.exact], tuning: model.tuning, learned: model.learned ?? 0, classifier: classifier.byteLength, centroids: centroids.byteLength }));
  const out = new Uint8Array(8 + header.byteLength + classifier.byteLength + centroids.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.byteLength, true);
  out.set(header, 8);
  out.set(classifier, 8 + header.byteLength);
  out.set(centroids, 8 + header.byteLength + classifier.byteLength);
  return out;
}

export function decodeKbModel(bytes: Uint8Array): KbModel {
  if (!MAGIC.every((b, i) => bytes[i] === b)) return { classifier: decodeModel(bytes), centroids: null, exact: new Map(), tuning: null };
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as { exact: [string, string][]; tuning: Tuning | null; learned?: number; classifier: number; centroids: number };
  const at = 8 + length;
  const classifier = header.classifier ? decodeModel(bytes.subarray(at, at + header.classifier)) : null;
  const centroids = classifier && header.centroids ? decodeCentroids(bytes.subarray(at + header.classifier, at + header.classifier + header.centroids), classifier.vocab.size) : null;
  return { classifier, centroids, exact: new Map(header.exact), tuning: header.tuning, learned: header.learned ?? 0 };
}
