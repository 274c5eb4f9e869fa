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

/** Derived keys, per secret. The key is kept, not the promise: no request waits on another's. */
const keys = new Map<string, CryptoKey>();

async function hmac(key: CryptoKey, message: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign("HMAC", key, encoder.encode(message));
}

function importKey(raw: BufferSource): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** The derived hashing key for a secret, kept once derived (per secret and isolate). */
export async function opsIdKey(secret: string): Promise<CryptoKey> {
  const known = keys.get(secret);
  if (known) return known;
  const key = await importKey(await hmac(await importKey(encoder.encode(secret)), LABEL));
  keys.set(secret, key);
  return key;
}

/** The hashed form of an id: lower-case hex, the same for the same secret, kind and id. */
export async function hashId(key: CryptoKey, kind: IdKind, id: string): Promise<HashedId> {
  const bytes = new Uint8Array(await hmac(key, `${kind}:${id}`));
  let hex = "";
  for (const b of bytes.subarray(0, DIGITS / 2)) hex += b.toString(16).padStart(2, "0");
  return asHashedId(hex)!;
}
