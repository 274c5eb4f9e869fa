// Mail that must never be answered: bounces, auto-replies, bulk and list mail, and mail from
// our own domain. Answering any of them can start a loop between two robots (RFC 3834).
// Such mail creates no conversation and is only counted in the logs by its reason.
import { domainOf, localPart, normalizeAddress } from "./address.ts";

/** Why a mail is not answered. */
export type AutoMailReason = "bounce" | "auto_submitted" | "bulk" | "list" | "own_address";

/** The headers this reads (a Headers object or anything with `get`). */
export interface HeaderSource {
  get(name: string): string | null;
}

const BOUNCE_LOCAL = /^(mailer-daemon|postmaster|mail-daemon|bounces?|noreply-dmarc-support)$/i;
const BULK = /^\s{0,8}(bulk|junk|list)\b/i;
const AUTO_REPLY_MARK = /^\s{0,8}(yes|true|1|on)\b/i;

/**
 * The reason a mail is automatic (never answered), or null for a person's mail. `envelopeFrom`
 * is the SMTP MAIL FROM ("" or "<>" for a bounce); `fromAddress` the header From's address;
 * `ownDomain` the domain of our support address.
 */
export function autoMailReason(headers: HeaderSource, envelopeFrom: string, fromAddress: string | null, ownDomain: string): AutoMailReason | null {
  const envelope = normalizeAddress(envelopeFrom);
  if (!envelope || BOUNCE_LOCAL.test(localPart(envelope)) || (fromAddress !== null && BOUNCE_LOCAL.test(localPart(fromAddress)))) return "bounce";
  if ((headers.get("content-type") ?? "").toLowerCase().includes("multipart/report")) return "bounce";
  if (domainOf(envelope) === ownDomain || (fromAddress !== null && domainOf(fromAddress) === ownDomain)) return "own_address";
  const autoSubmitted = (headers.get("auto-submitted") ?? "").trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith("no")) return "auto_submitted";
  if (AUTO_REPLY_MARK.test(headers.get("x-autoreply") ?? "") || AUTO_REPLY_MARK.test(headers.get("x-autorespond") ?? "")) return "auto_submitted";
  if (BULK.test(headers.get("precedence") ?? "")) return "bulk";
  if (headers.get("list-id") !== null || headers.get("list-unsubscribe") !== null) return "list";
  return null;
}
