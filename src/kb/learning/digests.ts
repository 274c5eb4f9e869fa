// Keyed digests that name who confirmed a learned question without saying who: HMAC-SHA256
// under a key derived from the deployment's secret, so a digest cannot be tested against a
// guessed conversation id, address or customer id by anyone without the secret. The same
// input gives the same digest everywhere, so an erasure can find what a customer taught.

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** The kinds of thing digested; each under its own label, so digests of different kinds never match. */
export type DigestKind = "conversation" | "client" | "subject";

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(`holdfast.learned.v1\u0000${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

/** 32 hex characters (128 bits) of HMAC-SHA256(derived key, kind + value). */
export async function learnDigest(secret: string, kind: DigestKind, value: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await keyFor(secret), encoder.encode(`${kind}\u0000${value}`)));
  return [...mac.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
