// Envelope encryption at rest: each conversation (or subject) gets its own AES-256-GCM data
// key; the data key is stored wrapped (encrypted) under a master key from the keyring in
// DATA_ENCRYPTION_KEY. Rotating the master key means re-wrapping 48-byte keys, not
// re-encrypting data, and erasing a subject means deleting one wrapped key (crypto-shredding).
//
// Data keys are non-extractable CryptoKeys once imported. Wrapping needs the raw bytes, so a
// new key exists as bytes only between newDataKey() and wrapDataKey(), and rewrap() handles
// raw bytes only transiently; both zero them afterwards.

/** Raw key size for AES-256. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const SEALED_PREFIX = "s1.";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Why a wrapped key or sealed text was refused, or (`no_key`) a seal was asked for where there is no data key; never carries the input itself. */
export type EnvelopeErrorCode = "unknown_kid" | "malformed" | "tampered" | "no_key";

export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode) {
    super(`envelope: ${code}`);
    this.name = "EnvelopeError";
    this.code = code;
  }
}

/** Master keys by kid; `current` wraps new keys, the others only unwrap. */
export interface Keyring {
  readonly current: string;
  readonly kids: readonly string[];
  /** Raw master keys; kept inside the module's functions, never logged. */
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

/** A data key usable for seal/open; the CryptoKey cannot be exported. */
export interface DataKey {
  readonly cryptoKey: CryptoKey;
}

/** A key just made: also holds its raw bytes, until wrapDataKey() zeroes them. */
export interface NewDataKey extends DataKey {
  readonly raw: Uint8Array;
}

/**
 * Parses `kid:base64key[,kid:base64key…]` (first entry current) or a bare base64 key (kid
 * `k1`). Keys must decode to exactly 32 bytes (base64 or base64url, padding optional); kids
 * are 1–32 of `[A-Za-z0-9_-]` and distinct. Null when anything is off: the caller reports
 * `server_misconfigured` rather than running with a key it did not mean.
 */
export function parseKeyring(secret: string | undefined): Keyring | null {
  if (typeof secret !== "string" || !secret.trim()) return null;
  const entries = secret.includes(":") ? secret.split(",").map((e) => e.trim()) : [`k1:${secret.trim()}`];
  const keys = new Map<string, Uint8Array>();
  for (const entry of entries) {
    const colon = entry.indexOf(":");
    const kid = entry.slice(0, colon);
    const key = decodeBase64(entry.slice(colon + 1).trim());
    if (colon < 1 || !KID_PATTERN.test(kid) || keys.has(kid) || !key || key.length !== KEY_BYTES) return null;
    keys.set(kid, key);
  }
  const kids = [...keys.keys()];
  return { current: kids[0]!, kids, keys };
}

/** A fresh random data key. Pass the result to wrapDataKey() to store it. */
export async function newDataKey(): Promise<NewDataKey> {
  const raw = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  return { raw, cryptoKey: await importDataKey(raw) };
}

/**
 * Wraps a new key under the current master key, bound to `context` (the id of what the key
 * protects, e.g. the conversation id), and zeroes its raw bytes: `kid.<iv>.<ciphertext>`.
 * A key can be wrapped once; to wrap it again, rewrap() the result.
 */
export async function wrapDataKey(ring: Keyring, key: NewDataKey, context: string): Promise<string> {
  if (key.raw.length !== KEY_BYTES || key.raw.every((b) => b === 0)) throw new EnvelopeError("malformed");
  try {
    return await wrapRaw(ring, key.raw, context);
  } finally {
    key.raw.fill(0);
  }
}

/** Makes a data key and its wrapped form in one step (what callers usually want). */
export async function createDataKey(ring: Keyring, context: string): Promise<{ key: DataKey; wrapped: string }> {
  const key = await newDataKey();
  const wrapped = await wrapDataKey(ring, key, context);
  return { key: { cryptoKey: key.cryptoKey }, wrapped };
}

/** Unwraps a stored key for `context`; throws EnvelopeError on an unknown kid, a different context or any tampering. */
export async function unwrapDataKey(ring: Keyring, wrapped: string, context: string): Promise<DataKey> {
  const raw = await unwrapRaw(ring, wrapped, context);
  try {
    return { cryptoKey: await importDataKey(raw) };
  } finally {
    raw.fill(0);
  }
}

/**
 * Moves a wrapped key to the ring's current master key (after a rotation). Returns the input
 * unchanged when it is already under the current kid; throws like unwrapDataKey.
 */
export async function rewrap(ring: Keyring, wrapped: string, context: string): Promise<string> {
  const raw = await unwrapRaw(ring, wrapped, context);
  try {
    return kidOf(wrapped) === ring.current ? wrapped : await wrapRaw(ring, raw, context);
  } finally {
    raw.fill(0);
  }
}

/** The kid a wrapped key was made under (null when malformed), to find keys that need rewrap(). */
export function kidOf(wrapped: string): string | null {
  const kid = typeof wrapped === "string" ? wrapped.split(".")[0] : undefined;
  return kid !== undefined && KID_PATTERN.test(kid) ? kid : null;
}

/**
 * Encrypts text with a fresh 96-bit IV: `s1.<base64url(iv ‖ ciphertext ‖ tag)>`. `aad` binds
 * it to where it belongs (e.g. `conversationId/messageId`), so a sealed value moved elsewhere
 * does not open. Lone surrogates become U+FFFD, as in any UTF-8 storage.
 */
export async function seal(key: DataKey, plaintext: string, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(aad), tagLength: 128 }, key.cryptoKey, encoder.encode(plaintext));
  const out = new Uint8Array(IV_BYTES + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), IV_BYTES);
  return SEALED_PREFIX + base64url(out);
}

/** Decrypts what seal() made with the same key and aad; throws EnvelopeError otherwise. */
export async function open(key: DataKey, sealed: string, aad: string): Promise<string> {
  const bytes = typeof sealed === "string" && sealed.startsWith(SEALED_PREFIX) ? decodeBase64url(sealed.slice(SEALED_PREFIX.length)) : null;
  if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) throw new EnvelopeError("malformed");
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(aad), tagLength: 128 }, key.cryptoKey, bytes.subarray(IV_BYTES));
  } catch {
    throw new EnvelopeError("tampered");
  }
  try {
    return decoder.decode(plain);
  } catch {
    // Authentic but not UTF-8: sealed by something other than seal().
    throw new EnvelopeError("malformed");
  }
}

function wrapAad(kid: string, context: string): Uint8Array {
  return encoder.encode(`holdfast.dek.v1\u0000${kid}\u0000${context}`);
}

async function wrapRaw(ring: Keyring, raw: Uint8Array, context: string): Promise<string> {
  const kid = ring.current;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: wrapAad(kid, context), tagLength: 128 }, await masterKey(ring, kid), raw);
  return `${kid}.${base64url(iv)}.${base64url(new Uint8Array(ct))}`;
}

async function unwrapRaw(ring: Keyring, wrapped: string, context: string): Promise<Uint8Array> {
  const parts = typeof wrapped === "string" ? wrapped.split(".") : [];
  const [kid, ivText, ctText] = parts;
  if (parts.length !== 3 || kid === undefined || !KID_PATTERN.test(kid)) throw new EnvelopeError("malformed");
  const iv = decodeBase64url(ivText!);
  const ct = decodeBase64url(ctText!);
  if (!iv || iv.length !== IV_BYTES || !ct || ct.length !== KEY_BYTES + TAG_BYTES) throw new EnvelopeError("malformed");
  if (!ring.keys.has(kid)) throw new EnvelopeError("unknown_kid");
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: wrapAad(kid, context), tagLength: 128 }, await masterKey(ring, kid), ct));
  } catch {
    throw new EnvelopeError("tampered");
  }
}

/** Imported master keys, per keyring object (a keyring is parsed once per isolate). */
const imported = new WeakMap<Keyring, Map<string, Promise<CryptoKey>>>();

function masterKey(ring: Keyring, kid: string): Promise<CryptoKey> {
  let byKid = imported.get(ring);
  if (!byKid) imported.set(ring, (byKid = new Map()));
  let key = byKid.get(kid);
  if (!key) {
    const raw = ring.keys.get(kid);
    if (!raw) throw new EnvelopeError("unknown_kid");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    byKid.set(kid, key);
  }
  return key;
}

function importDataKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

function base64url(bytes: Uint8Array): string {
  // In chunks: one call per 8 KiB instead of one per byte (this runs for every sealed message).
  let s = "";
  for (let i = 0; i < bytes.length; i += 8_192) s += String.fromCharCode(...bytes.subarray(i, i + 8_192));
  // btoa's only "=" are its padding.
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "");
}

function decodeBase64url(s: string): Uint8Array | null {
  return /^[A-Za-z0-9_-]*$/.test(s) ? decodeBase64(s) : null;
}

/** Standard or url-safe base64, padding optional; null when not base64. */
function decodeBase64(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return null;
  const std = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=/g, ""); // "=" only ends it (checked above)
  if (std.length % 4 === 1) return null;
  try {
    return Uint8Array.from(atob(std + "=".repeat((4 - (std.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
