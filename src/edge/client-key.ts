// Limiter keys for what a request is counted by — its client's network (src/edge/
// client-network.ts) or the credential it presents — as keyed hashes: HMAC-SHA256 under
// CLIENT_KEY_SECRET, so that a key seen in a limiter (or a WebSocket's stored attachment)
// cannot be turned back into an address by hashing the 2^32 IPv4 addresses, as a plain
// SHA-256 could. The kind is part of the message: an address and a credential hash apart.
import { clientNetwork } from "./client-network.ts";

const encoder = new TextEncoder();
/** Hex digits kept: 96 bits, plenty to keep clients apart in a limiter. */
const DIGITS = 24;
/** Networks' keys remembered per isolate and secret (the oldest go first past the bound): a client's requests are not each hashed again. */
const MAX_REMEMBERED = 5_000;

export type LimitedBy = "network" | "credential";

/** Imported keys, per secret. The key is kept, not the promise: no request waits on another's. */
const keys = new Map<string, CryptoKey>();
const remembered = new WeakMap<CryptoKey, Map<string, string>>();

async function keyOf(secret: string): Promise<CryptoKey> {
  const known = keys.get(secret);
  if (known) return known;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  keys.set(secret, key);
  return key;
}

/** The keyed digest of a value of a kind: lower-case hex, the same for the same secret, kind and value. */
export async function keyedDigest(secret: string, kind: LimitedBy, value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.sign("HMAC", await keyOf(secret), encoder.encode(`${kind}\u0000${value}`)));
  let hex = "";
  for (const b of bytes.subarray(0, DIGITS / 2)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** The limiter key of a client address: the digest of its network, remembered per isolate. */
export async function networkDigest(secret: string, address: string | null | undefined): Promise<string> {
  const network = clientNetwork(address);
  const key = await keyOf(secret);
  let known = remembered.get(key);
  if (!known) remembered.set(key, (known = new Map()));
  const hit = known.get(network);
  if (hit) return hit;
  const value = await keyedDigest(secret, "network", network);
  if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value!);
  known.set(network, value);
  return value;
}
