// How a replica's model is laid out in bytes (kb-model.ts): sections of typed arrays after
// JSON headers, each starting on a whole 4-byte word, so that a loaded model reads its
// arrays in place instead of copying them; and written in one pass from its parts, so that
// storing a model needs room for its bytes once (docs/scaling.md). Little-endian, like every
// runtime we run on.

/** A JSON header padded with spaces to whole 4-byte words. */
export function paddedHeader(value: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(value));
  const out = new Uint8Array(json.byteLength + ((4 - (json.byteLength % 4)) % 4)).fill(0x20);
  out.set(json);
  return out;
}

/** A 32-bit little-endian length. */
export function lengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, length, true);
  return out;
}

/** A typed array's bytes (a view). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Zero bytes that bring `length` to whole 4-byte words. */
export function padding(length: number): Uint8Array {
  return new Uint8Array((4 - (length % 4)) % 4);
}

export function sizeOf(parts: Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.byteLength, 0);
}

export function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(sizeOf(parts));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** `count` items of a typed array at `offset` in `bytes`: a view when aligned, else a copy. */
export function arrayAt<T extends Float32Array | Int16Array | Int32Array>(type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }, bytes: Uint8Array, offset: number, count: number): T {
  const at = bytes.byteOffset + offset;
  if (at % type.BYTES_PER_ELEMENT === 0) return new type(bytes.buffer as ArrayBuffer, at, count);
  const copy = bytes.slice(offset, offset + count * type.BYTES_PER_ELEMENT);
  return new type(copy.buffer, 0, count);
}
