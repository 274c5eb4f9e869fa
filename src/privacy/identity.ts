// Customer identity verification, as support platforms do it: the shop's server signs its
// customer id with CUSTOMER_SIGNING_SECRET (hex HMAC-SHA256 of the id) and the page passes
// id + signature to the widget, so a visitor cannot claim another customer's identity.
// subjectKey names the customer (e.g. a Durable Object per data subject) without revealing
// the id.

const encoder = new TextEncoder();

/**
 * The label of the subject-key derivation. It starts with NUL, which no valid customer id
 * contains, so no customer id's signature can equal the derived key.
 */
const SUBJECT_LABEL = "\u0000holdfast.subject-key.v1";

/** The shortest CUSTOMER_SIGNING_SECRET accepted; shorter is a configuration error. */
export const MIN_SECRET_LENGTH = 16;

/** Customer ids are opaque strings of 1–256 characters without control characters. */
export function isCustomerId(id: string): boolean {
  return typeof id === "string" && id.length >= 1 && id.length <= 256 && !/[\u0000-\u001f\u007f]/.test(id);
}

/** The signature a shop's server gives its page: lower-case hex HMAC-SHA256(secret, id). */
export async function signCustomer(secret: string, customerId: string): Promise<string> {
  if (!isCustomerId(customerId)) throw new RangeError("customer id must be 1-256 characters without control characters");
  return hex(await hmac(secretKey(secret), customerId));
}

/**
 * True when `signatureHex` is the signature of `customerId` under `secret`. Hex case is
 * ignored; the comparison takes the same time wherever the first difference is. Throws
 * (RangeError) when the secret is missing or shorter than MIN_SECRET_LENGTH.
 */
export async function verifyCustomerSignature(secret: string, customerId: string, signatureHex: string): Promise<boolean> {
  const key = secretKey(secret);
  if (!isCustomerId(customerId) || typeof signatureHex !== "string" || !/^[0-9a-fA-F]{64}$/.test(signatureHex)) return false;
  const expected = await hmac(key, customerId);
  const given = fromHex(signatureHex.toLowerCase());
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ given[i]!;
  return diff === 0;
}

/**
 * A stable 64-hex-character name for a customer under `secret`: HMAC(HMAC(secret, label), id).
 * It does not reveal the id (without the secret one cannot even test a guess), and it differs
 * from the customer's signature, so knowing one tells nothing about the other.
 */
export async function subjectKey(secret: string, customerId: string): Promise<string> {
  if (!isCustomerId(customerId)) throw new RangeError("customer id must be 1-256 characters without control characters");
  const derived = await hmac(secretKey(secret), SUBJECT_LABEL);
  return hex(await hmac(derived, customerId));
}

/** Throws on a missing or short secret: misconfiguration must not look like a bad signature. */
function secretKey(secret: string): Uint8Array {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) throw new RangeError("CUSTOMER_SIGNING_SECRET is missing or too short");
  return encoder.encode(secret);
}

async function hmac(key: Uint8Array, message: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(message)));
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export interface IdentifiedCustomer<C extends { id?: string }> {
  customer: (C & { verified: boolean }) | undefined;
  /** The subject key of a verified customer: only verified ids are ever joined. */
  subject: string | null;
}

/**
 * What the host site asserted about its customer: with a valid signature the id is
 * verified and has a subject key; without one it is kept, marked unverified, and joined
 * with nothing. A signature that does not match is refused (`invalid`), not downgraded.
 */
export async function identifyCustomer<C extends { id?: string }>(customer: C | undefined, signature: string | undefined, secret: string): Promise<IdentifiedCustomer<C> | "invalid" | "unverifiable"> {
  if (!customer) return signature ? "invalid" : { customer: undefined, subject: null };
  if (!signature || !customer.id) return { customer: { ...customer, verified: false }, subject: null };
  if (secret.length < MIN_SECRET_LENGTH) return "unverifiable";
  if (!(await verifyCustomerSignature(secret, customer.id, signature))) return "invalid";
  return { customer: { ...customer, verified: true }, subject: await subjectKey(secret, customer.id) };
}
