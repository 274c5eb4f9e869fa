import { describe, expect, it } from "vitest";
import { messageIds, recipientOf, replyAddress } from "../../src/email/address.ts";
import { threadHeaders } from "../../src/email/mail-thread.ts";
import { checkReplyToken, idDigest, replyToken } from "../../src/email/thread-keys.ts";
import { threadDecision } from "../../src/email/threading.ts";

const SUPPORT = "support@holdfast.test";
const SECRET = "unit-secret-0123456789abcdef";

describe("which of our addresses a mail was sent to", () => {
  it("knows the support address and reply addresses on its domain, in any case", () => {
    expect(recipientOf("Support@Holdfast.Test", SUPPORT)).toEqual({ kind: "support" });
    expect(recipientOf("<reply+abcdefghijklmnopqrstuvwx@holdfast.test>", SUPPORT)).toEqual({ kind: "reply", token: "abcdefghijklmnopqrstuvwx" });
    expect(recipientOf("REPLY+ABCDEFGHIJKLMNOPQRSTUVWX@holdfast.test", SUPPORT)).toEqual({ kind: "reply", token: "abcdefghijklmnopqrstuvwx" });
  });

  it("refuses other mailboxes, other domains and malformed tokens", () => {
    expect(recipientOf("sales@holdfast.test", SUPPORT)).toBeNull();
    expect(recipientOf("reply+abcdefghijklmnopqrstuvwx@other.example", SUPPORT)).toBeNull();
    expect(recipientOf("reply+short@holdfast.test", SUPPORT)).toBeNull();
    expect(recipientOf("reply+abcdefghijklmnopqrstuv01@holdfast.test", SUPPORT)).toBeNull();
  });
});

describe("reply tokens", () => {
  it("fit a mail address's local part and name one conversation only", async () => {
    const token = await replyToken(SECRET, "eu-" + "a".repeat(64));
    expect(token).toMatch(/^[a-z2-7]{24}$/);
    expect(replyAddress(token, SUPPORT).split("@")[0]!.length).toBeLessThanOrEqual(64);
    expect(recipientOf(replyAddress(token, SUPPORT), SUPPORT)).toEqual({ kind: "reply", token });
    expect(await checkReplyToken(SECRET, "eu-" + "a".repeat(64), token)).toBe(true);
    expect(await checkReplyToken(SECRET, "eu-" + "a".repeat(64), token.toUpperCase())).toBe(true);
    expect(await checkReplyToken(SECRET, "b".repeat(64), token)).toBe(false);
    expect(await checkReplyToken("another-secret-0123456789abcdef", "eu-" + "a".repeat(64), token)).toBe(false);
  });

  it("keys Message-IDs by a keyed hash, never the id", async () => {
    const digest = await idDigest(SECRET, "<x@customer.example>");
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(digest).toBe(await idDigest(SECRET, "<x@customer.example>"));
    expect(digest).not.toBe(await idDigest(SECRET, "<y@customer.example>"));
  });
});

describe("Message-IDs in headers", () => {
  it("are read with their brackets, the newest kept, duplicates once", () => {
    expect(messageIds("<a@x> <b@x>\r\n <c@x> <a@x>")).toEqual(["<a@x>", "<b@x>", "<c@x>"]);
    expect(messageIds(Array.from({ length: 30 }, (_, i) => `<${i}@x>`).join(" ")).at(0)).toBe("<10@x>");
    expect(messageIds("bare@x")).toEqual(["<bare@x>"]);
    expect(messageIds("not an id")).toEqual([]);
    expect(messageIds(null)).toEqual([]);
  });
});

describe("which conversation a mail joins", () => {
  it("a mail seen before goes where it went, whatever it names", () => {
    expect(threadDecision({ own: "c1", token: "c2", named: ["c3"] })).toEqual({ kind: "seen", conversationId: "c1" });
  });
  it("a reply address wins over the headers", () => {
    expect(threadDecision({ own: null, token: "c2", named: ["c3"] })).toEqual({ kind: "join", conversationId: "c2", by: "token" });
  });
  it("else the first id it names that we know (In-Reply-To, then References newest first)", () => {
    expect(threadDecision({ own: null, token: null, named: [null, "c4", "c3"] })).toEqual({ kind: "join", conversationId: "c4", by: "references" });
  });
  it("anything else starts a new conversation", () => {
    expect(threadDecision({ own: null, token: null, named: [null, null] })).toEqual({ kind: "new" });
  });
});

describe("the threading headers of a reply", () => {
  const photo = [{ name: "photo.jpg", size: 2000 }];
  it("answers the customer's mail, naming its chain, and tells of its attachments", () => {
    expect(threadHeaders([{ seq: 1, messageId: "<c1@x>", references: [], attachments: photo }], [], 2)).toEqual({ inReplyTo: "<c1@x>", references: ["<c1@x>"], attachments: photo });
  });
  it("after our own mails, answers the newest and tells of attachments once", () => {
    const ins = [{ seq: 1, messageId: "<c1@x>", references: [], attachments: photo }];
    const outs = [{ seq: 2, messageId: "<s2@cf>" }];
    expect(threadHeaders(ins, outs, 4)).toEqual({ inReplyTo: "<s2@cf>", references: ["<c1@x>", "<s2@cf>"], attachments: [] });
  });
  it("a customer's reply carries the chain its client built", () => {
    const ins = [
      { seq: 1, messageId: "<c1@x>", references: [], attachments: [] },
      { seq: 3, messageId: "<c3@x>", references: ["<c1@x>", "<s2@cf>"], attachments: [] },
    ];
    expect(threadHeaders(ins, [{ seq: 2, messageId: "<s2@cf>" }], 4)).toEqual({ inReplyTo: "<c3@x>", references: ["<c1@x>", "<s2@cf>", "<c3@x>"], attachments: [] });
  });
  it("a ticket answered by mail starts a thread of its own", () => {
    expect(threadHeaders([], [], 5)).toEqual({ inReplyTo: null, references: [], attachments: [] });
  });
});
