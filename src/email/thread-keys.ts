// The thread map's keys, keyed hashes under TOKEN_SECRET (each use apart by its label).
//
// Reply tokens: the <token> of a conversation's reply+<token>@ address, the way back into the
// conversation when a customer's client drops the threading headers. A token is the first
// 120 bits of HMAC-SHA256 over the conversation id (under TOKEN_SECRET, apart from other
// uses by its label), in lower-case base32: safe in a mail address's local part, whose case
// some servers change, and short enough for its 64-character limit. It names no conversation
// by itself: the thread map (EmailThreadDO) says which, and the token is then checked again
// against that conversation's id (canonical verification), in constant time.
import { importKey } from "../auth/token.ts";

const encoder = new TextEncoder();
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
/** 15 bytes: 24 base32 characters, no padding. */
const TOKEN_BYTES = 15;

/** The reply token of a conversation. */
export async function replyToken(secret: string, conversationId: string): Promise<string> {
  return base32((await digest(secret, conversationId)).subarray(0, TOKEN_BYTES));
}

/** Whether `token` is the reply token of `conversationId`. */
export async function checkReplyToken(secret: string, conversationId: string, token: string): Promise<boolean> {
  const expected = await replyToken(secret, conversationId);
  const given = token.toLowerCase();
  if (expected.length !== given.length) return false;
  // Constant time: every character is compared whatever the first difference.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0;
}

async function digest(secret: string, conversationId: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await importKey(secret), encoder.encode(`email-reply\u0000${conversationId}`)));
}

/** The keyed hash of a Message-ID (or of a mail's content digest): 128 bits, hex. The map never sees the id. */
export async function idDigest(secret: string, id: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await importKey(secret), encoder.encode(`email-id\u0000${id}`)));
  return [...mac.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** RFC 4648 base32, lower case, without padding. */
function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
