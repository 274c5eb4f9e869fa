// Mail addresses and Message-IDs as the email channel reads them: whose mail it is, which of
// our addresses it was sent to (the support address or a reply+<token>@ address), and the
// Message-IDs a header names. Everything here is plain string work on bounded input.

/** Our address a mail was sent to: the support address, or a conversation's reply address. */
export type Recipient = { kind: "support" } | { kind: "reply"; token: string };

/** Longest Message-ID we keep (RFC 5322 sets no limit; real ones are well under 250). */
const MESSAGE_ID_MAX = 250;
/** Message-IDs read from one References header: the newest ones matter. */
export const REFERENCES_MAX = 20;
const ANGLE_ID = /<([^<>\s]{1,250})>/g;
const REPLY_TOKEN = /^reply\+([a-z2-7]{24})$/;

/** The part before the last @, lower case. */
export function localPart(address: string): string {
  const at = address.lastIndexOf("@");
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

/** The part after the last @, lower case ("" without one). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? "" : address.slice(at + 1).toLowerCase();
}

/** An address as compared: no angle brackets or spaces, lower case. */
export function normalizeAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, "").trim().toLowerCase();
}

/** Which of our addresses `to` is, or null when it is none of them. */
export function recipientOf(to: string, supportAddress: string): Recipient | null {
  const address = normalizeAddress(to);
  if (address === supportAddress) return { kind: "support" };
  if (domainOf(address) !== domainOf(supportAddress)) return null;
  const token = REPLY_TOKEN.exec(localPart(address))?.[1];
  return token ? { kind: "reply", token } : null;
}

/** A conversation's reply address. */
export function replyAddress(token: string, supportAddress: string): string {
  return `reply+${token}@${domainOf(supportAddress)}`;
}

/** The Message-IDs a header names, in order, with their angle brackets; at most the last `max`. */
export function messageIds(header: string | null | undefined, max = REFERENCES_MAX): string[] {
  if (!header) return [];
  const ids = [...header.slice(0, 20_000).matchAll(ANGLE_ID)].map((m) => `<${m[1]}>`);
  if (!ids.length) {
    // A bare id without brackets (some clients), kept if it looks like one.
    const bare = header.trim();
    if (bare.length <= MESSAGE_ID_MAX && /^[^<>\s@]+@[^<>\s]+$/.test(bare)) ids.push(`<${bare}>`);
  }
  return [...new Set(ids)].slice(-max);
}
