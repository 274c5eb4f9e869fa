// Conversation tokens: `v1.<expiry>.<signature>`, where the signature is HMAC-SHA256 over the
// conversation id and expiry. The id is not inside the token (it is in the URL), so a token
// for one conversation never verifies for another. Tokens are valid WebSocket subprotocol
// tokens, which lets browsers present them without putting them in the URL.
import { AppError } from "../errors.ts";

const PREFIX = "v1";
const encoder = new TextEncoder();

/** Signs a token for `conversationId` valid until `expiresAt` (Unix seconds). */
export async function signToken(secret: string, conversationId: string, expiresAt: number): Promise<string> {
  const sig = await hmac(secret, `${conversationId}.${expiresAt}`);
  return `${PREFIX}.${expiresAt}.${base64url(sig)}`;
}

export type TokenCheck = "ok" | "token_invalid" | "token_expired" | "forbidden";

/**
 * Checks a token against a conversation id. A well-formed token whose signature does not
 * match this conversation is `forbidden` (it may be another conversation's token).
 */
export async function checkToken(
  secret: string,
  conversationId: string,
  token: string,
  nowSeconds: number,
): Promise<TokenCheck> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX || !/^\d{1,12}$/.test(parts[1]!)) return "token_invalid";
  const expiresAt = Number(parts[1]);
  // Only the text that was issued: `0179…` is not `179…` (the MAC covers the text as received).
  if (String(expiresAt) !== parts[1]) return "token_invalid";
  const sig = fromBase64url(parts[2]!);
  if (!sig || sig.byteLength !== 32) return "token_invalid";
  const key = await importKey(secret);
  const valid = await crypto.subtle.verify("HMAC", key, sig, encoder.encode(`${conversationId}.${parts[1]}`));
  if (!valid) return "forbidden";
  return expiresAt <= nowSeconds ? "token_expired" : "ok";
}

/** Throws the matching AppError unless the token is valid for the conversation. */
export async function requireToken(secret: string, conversationId: string, token: string | undefined, nowSeconds: number): Promise<void> {
  if (!token) throw new AppError("unauthorized");
  const result = await checkToken(secret, conversationId, token, nowSeconds);
  if (result !== "ok") throw new AppError(result);
}

/** Imported keys, per secret: importing on every request costs more than verifying. */
/**
 * Imported keys, per secret. The key itself is kept, never the promise of one: a promise
 * made in one request must not be awaited by another (workerd may cancel the waiter).
 */
const keys = new Map<string, CryptoKey>();

/** The HMAC-SHA256 key for a secret, imported once per isolate (shared with agent session tokens). */
export async function importKey(secret: string): Promise<CryptoKey> {
  const known = keys.get(secret);
  if (known) return known;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  keys.set(secret, key);
  return key;
}

async function hmac(secret: string, data: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign("HMAC", await importKey(secret), encoder.encode(data));
}

/** Unpadded base64url, the alphabet of WebSocket subprotocol tokens. */
export function base64url(buf: ArrayBuffer | Uint8Array): string {
  let s = "";
  for (const b of buf instanceof Uint8Array ? buf : new Uint8Array(buf)) s += String.fromCharCode(b);
  // btoa's only "=" are its padding.
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "");
}

/**
 * Decodes unpadded base64url; null when it is not, or when it is not the one text that
 * encodes those bytes (atob ignores the unused low bits of the last character, so `…A` and
 * `…B` could decode alike: a signature would have several accepted spellings).
 */
export function fromBase64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return null;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  return base64url(bytes) === s ? bytes : null;
}
