// What the replica stores per language after training: the classifier (when the language
// has one), the exact-question index, and the tuning fitted by cross-validation. One blob,
// so that a restarted replica gets all three back together; blobs written before the
// index and tuning existed still decode (as a classifier alone).
import { decodeModel, encodeModel, type ClassifierModel } from "./classifier.ts";
import type { Tuning } from "./tuning.ts";

export interface KbModel {
  classifier: ClassifierModel | null;
  /** Exact-question key → article id (see exact-match.ts). */
  exact: Map<string, string>;
  tuning: Tuning | null;
}

const MAGIC = [0x48, 0x46, 0x4b, 0x32]; // "HFK2"

/** Magic, header length, a JSON header (index and tuning), then the classifier's own bytes. */
export function encodeKbModel(model: KbModel): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ exact: [...model.exact], tuning: model.tuning }));
  const classifier = model.classifier ? encodeModel(model.classifier) : new Uint8Array(0);
  const out = new Uint8Array(8 + header.byteLength + classifier.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.byteLength, true);
  out.set(header, 8);
  out.set(classifier, 8 + header.byteLength);
  return out;
}

export function decodeKbModel(bytes: Uint8Array): KbModel {
  if (!MAGIC.every((b, i) => bytes[i] === b)) return { classifier: decodeModel(bytes), exact: new Map(), tuning: null };
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as { exact: [string, string][]; tuning: Tuning | null };
  const rest = bytes.subarray(8 + length);
  return { classifier: rest.byteLength ? decodeModel(rest) : null, exact: new Map(header.exact), tuning: header.tuning };
}
