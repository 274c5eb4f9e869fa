// The ids in ops events: keyed hashes, never raw conversation or customer ids. HMAC-SHA256
// under a key derived from TOKEN_SECRET with a label of its own (so no token signature or
// subject key can equal one), and the kind of id in the message (a conversation and a
// customer with the same id hash apart). Without the secret a guess cannot even be checked.
import { asHashedId, type HashedId } from "./events.ts";

const encoder = new TextEncoder();
/** Starts with NUL, which no id contains: the derivation input can never be an id's. */
const LABEL = "\u0000holdfast.ops-id.v1";
/** Hex digits kept: 128 bits, plenty to join on and to tell customers apart. */
const DIGITS = 32;

export type IdKind = "conversation" | "customer";

const keys = new Map<string, Promise<CryptoKey>>();

async function hmac(key: CryptoKey, message: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign("HMAC", key, encoder.encode(message));
}

function importKey(raw: BufferSource): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** The derived hashing key for a secret, imported once per secret and isolate. */
export function opsIdKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = importKey(encoder.encode(secret)).then((k) => hmac(k, LABEL)).then(importKey);
    keys.set(secret, key);
    // A failed import is not cached: the next call tries again.
    key.catch(() => keys.delete(secret));
  }
  return key;
}

/** The hashed form of an id: lower-case hex, the same for the same secret, kind and id. */
export async function hashId(key: CryptoKey, kind: IdKind, id: string): Promise<HashedId> {
  const bytes = new Uint8Array(await hmac(key, `${kind}:${id}`));
  let hex = "";
  for (const b of bytes.subarray(0, DIGITS / 2)) hex += b.toString(16).padStart(2, "0");
  return asHashedId(hex)!;
}
