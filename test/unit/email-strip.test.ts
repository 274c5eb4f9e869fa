import { describe, expect, it } from "vitest";
import { stripReply } from "../../src/email/strip.ts";

describe("stripping quoted history and signatures from a mail", () => {
  const cases: Array<[string, string, string]> = [
    ["plain text stays as it is", "Where is my order?\nIt was due Monday.", "Where is my order?\nIt was due Monday."],
    ["Gmail's reply header and quote go", "Thanks, that worked.\n\nOn Mon, 7 Dec 2026 at 10:01, Holdfast Support <support@holdfast.test> wrote:\n> You can reset it here.\n> Regards", "Thanks, that worked."],
    ["Gmail's header wrapped onto two lines goes", "Got it.\n\nOn Mon, 7 Dec 2026 at 10:01, Holdfast Support <support@holdfast.test>\nwrote:\n\n> Old text", "Got it."],
    ["Apple Mail's header goes", "Yes please.\n\nOn 7 Dec 2026, at 10:01, Support <support@holdfast.test> wrote:\n\n> Shall we?", "Yes please."],
    ["Outlook's Original Message block goes", "See below.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: Re: order\n\nOld", "See below."],
    ["Outlook's From/Sent header block goes", "New question here.\n\n________________________________\nFrom: Holdfast Support <support@holdfast.test>\nSent: Monday, December 7, 2026 10:01\nTo: Ana\nSubject: Re: order\n\nOld answer", "New question here."],
    ["a From/To/Subject header block without a separator goes", "Please check.\n\nFrom: Holdfast Support\nTo: Ana\nSubject: Re: order\n\nOld", "Please check."],
    ["interleaved > quotes go, the answers between them stay", "> Which item?\nThe blue one.\n> Which size?\nMedium.", "The blue one.\nMedium."],
    ["the '-- ' signature goes", "Where is my refund?\n\n-- \nAna Lima\nLisbon", "Where is my refund?"],
    ["a mobile signature goes", "Cancel my order please.\n\nSent from my iPhone", "Cancel my order please."],
    ["a Chinese client's header and quote go", "好的，谢谢。\n\n在 2026年12月7日 星期一 10:01，Holdfast Support <support@holdfast.test> 写道：\n> 您可以在这里重置密码。", "好的，谢谢。"],
    ["a Chinese original-message block goes", "请再查一下。\n\n-----原始邮件-----\n发件人: Holdfast Support\n发送时间: 2026年12月7日\n主题: 回复: 订单", "请再查一下。"],
    ["a Chinese mobile signature goes", "我要退货。\n\n发自我的iPhone", "我要退货。"],
    ["a sentence that merely ends in 'wrote:' stays", "Here is what the courier wrote:\nleft at the door", "Here is what the courier wrote:\nleft at the door"],
    ["CRLF line ends are read as lines", "Hello\r\n\r\nOn Mon, 7 Dec 2026, Support wrote:\r\n> old", "Hello"],
    ["only quoted text leaves nothing", "> all quoted\n> lines", ""],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => expect(stripReply(body)).toBe(expected));
  }

  it("stays linear on long adversarial lines", () => {
    const long = `On ${"a ".repeat(50_000)}`;
    expect(stripReply(`${long}\n${"-".repeat(50_000)}\n${"在".repeat(50_000)}`).length).toBeGreaterThan(0);
  });
});
