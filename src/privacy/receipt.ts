// Erasure receipts: what was erased, when, signed by the server (HMAC-SHA256 under a key
// derived from TOKEN_SECRET with its own label), so an operator can later prove a receipt
// came from this deployment and was not altered.

export interface ErasureReceipt {
  /** The subject key (never the customer id itself). */
  subject: string;
  /** How many conversations were erased. */
  conversations: number;
  erasedAt: string;
  /** Hex HMAC-SHA256 over the other fields. */
  signature: string;
}

const LABEL = "holdfast.erasure-receipt.v1";
const encoder = new TextEncoder();

async function mac(secret: string, fields: Omit<ErasureReceipt, "signature">): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(`${LABEL}\u0000${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const body = JSON.stringify([LABEL, fields.subject, fields.conversations, fields.erasedAt]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signReceipt(secret: string, fields: Omit<ErasureReceipt, "signature">): Promise<ErasureReceipt> {
  return { ...fields, signature: await mac(secret, fields) };
}

export async function verifyReceipt(secret: string, receipt: ErasureReceipt): Promise<boolean> {
  const expected = await mac(secret, receipt);
  if (expected.length !== receipt.signature.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ receipt.signature.charCodeAt(i);
  return diff === 0;
}
