// Another spelling of a token's base64url signature: the same bytes, different text (for
// tests that only the exact text a server issued verifies).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const bytes = (b64url: string) => atob(b64url.replace(/-/g, "+").replace(/_/g, "/"));

/**
 * The token with the lowest bit of its last character flipped: 32 signature bytes leave that
 * character's two low bits unused, so a lenient decoder reads the same bytes.
 */
export function otherSpelling(token: string): string {
  const last = ALPHABET.indexOf(token.at(-1)!);
  const spelled = token.slice(0, -1) + ALPHABET[last ^ 1];
  if (bytes(spelled.split(".").at(-1)!) !== bytes(token.split(".").at(-1)!)) throw new Error("not another spelling of the same bytes");
  return spelled;
}
