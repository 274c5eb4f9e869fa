// Operator API keys: `hf_` + 43 base64url characters (256 random bits). Only a SHA-256 of a
// key is stored. A fast hash is right here, unlike for passwords: a key has 256 bits of
// entropy, so there is nothing to brute-force, and verifying must be cheap on every request.

const PREFIX = "hf_";
/** 32 bytes in unpadded base64url. */
const BODY_LENGTH = 43;
const KEY_PATTERN = /^hf_[A-Za-z0-9_-]{43}$/;
/** Characters of a key shown in lists: the prefix and 6 more (36 bits, not enough to matter). */
const DISPLAY_LENGTH = PREFIX.length + 6;

/** A new key from `random` (crypto.getRandomValues in production, seeded in tests). */
export function newOperatorKey(random: (n: number) => Uint8Array): string {
  const bytes = random(32);
  if (bytes.length !== 32) throw new RangeError("random source must return the requested number of bytes");
  const body = base64url(bytes);
  return PREFIX + body.slice(0, BODY_LENGTH);
}

/** True when `key` has the shape of an operator key (checked before hashing untrusted input). */
export function isOperatorKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** The stored form of a key: SHA-256, lower-case hex. */
export async function hashOperatorKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  let s = "";
  for (const b of new Uint8Array(digest)) s += b.toString(16).padStart(2, "0");
  return s;
}

/** The first characters of a key, so operators can tell their keys apart (`hf_AbC12x`). */
export function keyPrefix(key: string): string {
  return key.slice(0, DISPLAY_LENGTH);
}

/** crypto.getRandomValues as a random source. */
export function cryptoRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  // btoa's only "=" are its padding.
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "");
}
