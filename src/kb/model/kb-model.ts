// What the replica stores per language after training: the classifier (when the language
// has one) with its articles' centroids, the exact-question index, and the tuning fitted
// by cross-validation. One blob, so that a restarted replica gets all of them back
// together; blobs written before the index and tuning existed still decode (as a
// classifier alone).
import { joined, lengthPrefix, paddedHeader, sizeOf } from "./bytes.ts";
import { centroidParts, decodeCentroids, type Centroids } from "./centroids.ts";
import { decodeModel, modelParts, type ClassifierModel } from "./classifier.ts";
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

/**
 * Magic, header length, a JSON header (index, tuning, section sizes), the classifier's bytes,
 * the centroids' bytes: written in one pass, each section on whole words (bytes.ts).
 */
export function encodeKbModel(model: KbModel): Uint8Array {
  const classifier = model.classifier ? modelParts(model.classifier) : [];
  const centroids = model.centroids ? centroidParts(model.centroids) : [];
  const header = paddedHeader({ exact: [...model.exact], tuning: model.tuning, learned: model.learned ?? 0, classifier: sizeOf(classifier), centroids: sizeOf(centroids) });
  return joined([new Uint8Array(MAGIC), lengthPrefix(header.byteLength), header, ...classifier, ...centroids]);
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
