// The email channel in workerd: mail in through the email() handler, the bot's answer out
// through the send_email binding (simulated by Miniflare), threading, duplicates, loops,
// malformed MIME, limits, and the outbox across a restart.
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newMessageId, rawMail } from "../support/mail.ts";
import { customer, deliver, mailTo, outbox, waitForMail } from "./email-helpers.ts";
import { setFaults, warmReplica } from "./helpers.ts";

describe("email in, answer out", () => {
  it("answers a new mail by mail, threaded to it, with the article's source and a Re: subject", async () => {
    await warmReplica("weur");
    const from = customer();
    const messageId = newMessageId();
    expect(await deliver({ from, fromName: "Ana Lima", subject: "Password", messageId, body: "How do I reset my password?\n\nThanks,\nAna\n-- \nAna Lima, Lisbon" })).toBeNull();
    const [mail] = await waitForMail(from, 1);
    expect(mail).toBeDefined();
    expect(mail!.subject).toBe("Re: Password");
    expect(mail!.inReplyTo).toBe(messageId);
    expect(mail!.references).toEqual([messageId]);
    expect(mail!.from).toBe("support@holdfast.test");
    expect(mail!.text).toMatch(/Source: /);
    expect(mail!.text).not.toContain("Lisbon");
    expect(mail!.messageId).toMatch(/^<.+@.+>$/);
  });
});
