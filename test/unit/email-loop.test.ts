import { describe, expect, it } from "vitest";
import { autoMailReason } from "../../src/email/loop.ts";

const headers = (h: Record<string, string>) => new Headers(h);
const OURS = "holdfast.test";

describe("mail that must never be answered", () => {
  const cases: Array<[string, Record<string, string>, string, string | null, string | null]> = [
    ["a person's mail", {}, "ana@customer.example", "ana@customer.example", null],
    ["Auto-Submitted: no is a person's mail", { "Auto-Submitted": "no" }, "ana@customer.example", "ana@customer.example", null],
    ["Auto-Submitted: auto-replied", { "Auto-Submitted": "auto-replied" }, "ana@customer.example", "ana@customer.example", "auto_submitted"],
    ["Auto-Submitted: auto-generated", { "Auto-Submitted": "auto-generated" }, "ana@customer.example", "ana@customer.example", "auto_submitted"],
    ["X-Autoreply: yes", { "X-Autoreply": "yes" }, "ana@customer.example", "ana@customer.example", "auto_submitted"],
    ["Precedence: bulk", { Precedence: "bulk" }, "news@shop.example", "news@shop.example", "bulk"],
    ["Precedence: junk", { Precedence: "junk" }, "news@shop.example", "news@shop.example", "bulk"],
    ["Precedence: list", { Precedence: "list" }, "news@shop.example", "news@shop.example", "bulk"],
    ["List-Id", { "List-Id": "<list.shop.example>" }, "news@shop.example", "news@shop.example", "list"],
    ["List-Unsubscribe", { "List-Unsubscribe": "<mailto:u@shop.example>" }, "news@shop.example", "news@shop.example", "list"],
    ["a null sender (bounce)", {}, "", "mailer@customer.example", "bounce"],
    ["a <> sender (bounce)", {}, "<>", null, "bounce"],
    ["MAILER-DAEMON", {}, "MAILER-DAEMON@mx.customer.example", "MAILER-DAEMON@mx.customer.example", "bounce"],
    ["postmaster in From", {}, "x@customer.example", "postmaster@customer.example", "bounce"],
    ["a delivery report", { "Content-Type": "multipart/report; report-type=delivery-status" }, "x@customer.example", "x@customer.example", "bounce"],
    ["our own support address", {}, "support@holdfast.test", "support@holdfast.test", "own_address"],
    ["our own reply address in From", {}, "ana@customer.example", "reply+abc@holdfast.test", "own_address"],
  ];
  for (const [name, h, envelope, from, expected] of cases) {
    it(`${name}: ${expected ?? "answered"}`, () => expect(autoMailReason(headers(h), envelope, from, OURS)).toBe(expected));
  }
});
