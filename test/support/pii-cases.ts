// The redaction table, shared by test/unit/redact.test.ts (which asserts every row) and
// scripts/pii-report.ts (which scores precision and recall over it). `pii` is the truth; a
// row the redactor is known to get wrong says what it gets instead and why (a documented
// trade-off), so the report's numbers are honest and the test notices if behaviour changes.
import type { PiiKind } from "../../src/privacy/redact.ts";

export type Labelled = ReadonlyArray<readonly [PiiKind, string]>;

export interface PiiCase {
  text: string;
  /** Every piece of personal data in the text, in order, as [kind, exact substring]. */
  pii: Labelled;
  /** Set when the redactor knowingly differs from the truth. */
  limitation?: { got: Labelled; why: string };
}

/** Text with personal data in it. */
export const POSITIVES: readonly PiiCase[] = [
  // email
  { text: "Email me at bob.smith+shop@example.co.uk please", pii: [["email", "bob.smith+shop@example.co.uk"]] },
  { text: "我的邮箱是 wang.li@qq.com，谢谢", pii: [["email", "wang.li@qq.com"]] },
  { text: "邮箱：ＬＩ＠ｅｘａｍｐｌｅ．ｃｏｍ", pii: [["email", "ＬＩ＠ｅｘａｍｐｌｅ．ｃｏｍ"]] },
  { text: "mailto:support-team@mail.example.org", pii: [["email", "support-team@mail.example.org"]] },
  { text: "It's ALICE_99@EXAMPLE.COM.", pii: [["email", "ALICE_99@EXAMPLE.COM"]] },
  // phone: international
  { text: "my phone is +44 20 7946 0958 thanks", pii: [["phone", "+44 20 7946 0958"]] },
  { text: "Call +1 (415) 555-2671 after 5", pii: [["phone", "+1 (415) 555-2671"]] },
  { text: "手机 +86 138 1234 5678", pii: [["phone", "+86 138 1234 5678"]] },
  { text: "WhatsApp +8613812345678", pii: [["phone", "+8613812345678"]] },
  { text: "电话(+86) 139-0000-1111", pii: [["phone", "(+86) 139-0000-1111"]] },
  { text: "Berlin office +49 30 901820", pii: [["phone", "+49 30 901820"]] },
  { text: "portable : +33 6 12 34 56 78", pii: [["phone", "+33 6 12 34 56 78"]] },
  { text: "Tokyo +81-3-1234-5678", pii: [["phone", "+81-3-1234-5678"]] },
  { text: "香港 +852 9123 4567", pii: [["phone", "+852 9123 4567"]] },
  { text: "tel: +1-202-555-0143.", pii: [["phone", "+1-202-555-0143"]] },
  { text: "My number: (+44) 7700 900123", pii: [["phone", "(+44) 7700 900123"]] },
  { text: "call me on +49 (0)30 901820", pii: [["phone", "+49 (0)30 901820"]] },
  { text: "（＋８６）１３８－１２３４－５６７８", pii: [["phone", "（＋８６）１３８－１２３４－５６７８"]] },
  // phone: CN and NANP national formats
  { text: "手机13812345678，谢谢", pii: [["phone", "13812345678"]] },
  { text: "电话：138-1234-5678", pii: [["phone", "138-1234-5678"]] },
  { text: "联系我 139.0000.1111", pii: [["phone", "139.0000.1111"]] },
  { text: "手机号：１３９ ００００ １１１１", pii: [["phone", "１３９ ００００ １１１１"]] },
  { text: "座机 010-62345678", pii: [["phone", "010-62345678"]] },
  { text: "深圳 (0755) 88886666", pii: [["phone", "(0755) 88886666"]] },
  { text: "call (415) 555-2671 or 1-800-555-0199", pii: [["phone", "(415) 555-2671"], ["phone", "1-800-555-0199"]] },
  { text: "my cell is 415.555.2671", pii: [["phone", "415.555.2671"]] },
  // payment cards
  { text: "card 4111 1111 1111 1111 exp 12/26", pii: [["card", "4111 1111 1111 1111"]] },
  { text: "Visa 4012888888881881", pii: [["card", "4012888888881881"]] },
  { text: "MC 5555-5555-5555-4444", pii: [["card", "5555-5555-5555-4444"]] },
  { text: "new Mastercard 2223 0031 2200 3222", pii: [["card", "2223 0031 2200 3222"]] },
  { text: "Amex 3782 822463 10005", pii: [["card", "3782 822463 10005"]] },
  { text: "Discover 6011 1111 1111 1117", pii: [["card", "6011 1111 1111 1117"]] },
  { text: "银联卡 6200000000000005", pii: [["card", "6200000000000005"]] },
  { text: "我的卡号是6205 5000 0000 0000 004", pii: [["card", "6205 5000 0000 0000 004"]] },
  { text: "JCB 3566 0020 2036 0505", pii: [["card", "3566 0020 2036 0505"]] },
  { text: "卡号：４１１１－１１１１－１１１１－１１１１", pii: [["card", "４１１１－１１１１－１１１１－１１１１"]] },
  { text: "qty 120 4111 1111 1111 1111", pii: [["card", "4111 1111 1111 1111"]] },
  // IBAN
  { text: "IBAN DE89 3704 0044 0532 0130 00 is mine", pii: [["iban", "DE89 3704 0044 0532 0130 00"]] },
  { text: "iban GB29NWBK60161331926819", pii: [["iban", "GB29NWBK60161331926819"]] },
  { text: "RIB FR14 2004 1010 0505 0001 3M02 606.", pii: [["iban", "FR14 2004 1010 0505 0001 3M02 606"]] },
  { text: "refund to nl91abna0417164300", pii: [["iban", "nl91abna0417164300"]] },
  { text: "cuenta ES91 2100 0418 4502 0005 1332", pii: [["iban", "ES91 2100 0418 4502 0005 1332"]] },
  // CN resident identity numbers
  { text: "身份证号 11010519491231002X", pii: [["cn_id", "11010519491231002X"]] },
  { text: "身份证：440308199901011234", pii: [["cn_id", "440308199901011234"]] },
  { text: "ID 310115 19850615 3223", pii: [["cn_id", "310115 19850615 3223"]] },
  { text: "证件号码５１０１０７２０００１１３００８７４", pii: [["cn_id", "５１０１０７２０００１１３００８７４"]] },
  // SSN
  { text: "ssn 536-22-8726", pii: [["ssn", "536-22-8726"]] },
  // IP addresses
  { text: "server 192.168.1.10:8080 and 2001:db8::8a2e:370:7334", pii: [["ip", "192.168.1.10"], ["ip", "2001:db8::8a2e:370:7334"]] },
  { text: "我的IP是203.0.113.45。", pii: [["ip", "203.0.113.45"]] },
  { text: "link-local fe80::1ff:fe23:4567:890a", pii: [["ip", "fe80::1ff:fe23:4567:890a"]] },
  { text: "mapped ::ffff:192.0.2.128 here", pii: [["ip", "::ffff:192.0.2.128"]] },
  { text: "full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", pii: [["ip", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"]] },
  // secrets
  { text: "password: hunter2", pii: [["secret", "hunter2"]] },
  { text: "my password is Tr0ub4dor&3.", pii: [["secret", "Tr0ub4dor&3"]] },
  { text: 'password="correct horse battery"', pii: [["secret", "correct horse battery"]] },
  { text: "密码是abc12345吗", pii: [["secret", "abc12345"]] },
  { text: "登录密码：Qwerty!2024", pii: [["secret", "Qwerty!2024"]] },
  { text: "验证码 482913", pii: [["secret", "482913"]] },
  { text: "验证码：482913，请在5分钟内", pii: [["secret", "482913"]] },
  { text: "the verification code is 550123", pii: [["secret", "550123"]] },
  { text: "PIN is 4821", pii: [["secret", "4821"]] },
  { text: "otp 123456", pii: [["secret", "123456"]] },
  { text: "2FA code: 918273", pii: [["secret", "918273"]] },
  { text: "My CVV is 123", pii: [["secret", "123"]] },
  { text: "pw: hunter2", pii: [["secret", "hunter2"]] },
  { text: "see https://example.com/a?b=c&api_key=XYZ123abc#frag", pii: [["secret", "XYZ123abc"]] },
  { text: "Cookie: SessionID=abcd1234;", pii: [["secret", "abcd1234"]] },
  { text: "https://shop.example/reset?token=abcDEF123&lang=en", pii: [["secret", "abcDEF123"]] },
  { text: "https://bob:s3cret@ftp.example.com/files", pii: [["secret", "bob:s3cret"]] },
  {
    text: "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    pii: [["secret", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"]],
  },
  { text: "api key: sk-proj-abcdefghijklmnopqrstuvwx", pii: [["secret", "sk-proj-abcdefghijklmnopqrstuvwx"]] },
  { text: "aws AKIAIOSFODNN7EXAMPLE leaked", pii: [["secret", "AKIAIOSFODNN7EXAMPLE"]] },
  { text: "operator key hf_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", pii: [["secret", "hf_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"]] },
  // several kinds in one message
  {
    text: "I'm Li, 13812345678, li@example.cn, card 4111111111111111",
    pii: [["phone", "13812345678"], ["email", "li@example.cn"], ["card", "4111111111111111"]],
  },
  // known misses (documented trade-offs)
  { text: "ring 0044 20 7946 0958", pii: [["phone", "0044 20 7946 0958"]], limitation: { got: [], why: "international numbers need a + prefix; 00-prefixed digit groups look like references" } },
  { text: "call 4155552671", pii: [["phone", "4155552671"]], limitation: { got: [], why: "a bare 10-digit run is as often an order or account number; NANP needs separators" } },
  { text: "London 020 7946 0958", pii: [["phone", "020 7946 0958"]], limitation: { got: [], why: "national formats other than CN and NANP are not recognised" } },
  { text: "my password is hunter", pii: [["secret", "hunter"]], limitation: { got: [], why: "after 'is', a plain word is more often 'wrong' or 'expired' than a password" } },
];

/** Text that looks like personal data but is not; it must survive untouched. */
export const NEAR_MISSES: readonly PiiCase[] = [
  // order, tracking and product numbers
  { text: "Where is my order #A1234567?", pii: [] },
  { text: "Order ORD-2024-000123 hasn't shipped", pii: [] },
  { text: "UPS tracking 1Z999AA10123456784", pii: [] },
  { text: "USPS 9400 1000 0000 0000 0000 00", pii: [] },
  { text: "USPS 92055901755477000271990251", pii: [] },
  { text: "FedEx 123456789012", pii: [] },
  { text: "FedEx ground 449044304137821", pii: [] },
  { text: "DHL 1234567890", pii: [] },
  { text: "顺丰 SF1234567890123", pii: [] },
  { text: "中通快递 73100012345678", pii: [] },
  { text: "国际单号 EA123456789CN", pii: [] },
  { text: "订单号 20240315123456", pii: [] },
  { text: "订单号：13912345678", pii: [] },
  { text: "Order number 15800012345", pii: [] },
  { text: "order #4111111111111111", pii: [] },
  { text: "淘宝订单 3456789012345678901", pii: [] },
  { text: "Batch 2024031512345678", pii: [] },
  { text: "SKU 8806090572593", pii: [] },
  { text: "ISBN 978-3-16-148410-0", pii: [] },
  { text: "Invoice INV-2024-03-15-0042", pii: [] },
  { text: "Lot 2024-0315-0001", pii: [] },
  { text: "S/N 5CG1234XYZ", pii: [] },
  { text: "微信支付单号 4200002024031512345678901234", pii: [] },
  { text: "支付宝交易号 2024031522001412345678901234", pii: [] },
  { text: "交易号 4200001234567890123", pii: [] },
  { text: "card ending 1111, 身份证后四位 002X", pii: [] },
  { text: "客服电话95588", pii: [] },
  // dates, times, prices, quantities, versions
  { text: "Delivered 2024-03-15, expected 15/03/2024", pii: [] },
  { text: "2024年3月15日下单", pii: [] },
  { text: "On 03.15.2024 at 14:30", pii: [] },
  { text: "2024/3/15 10:00-18:00", pii: [] },
  { text: "It was 12:30:45 exactly", pii: [] },
  { text: "周一至周五 9:00-18:00，下午3:30", pii: [] },
  { text: "Price €1,299.00 or $19.99", pii: [] },
  { text: "¥2999，退款￥1,380,000 已到账", pii: [] },
  { text: "I ordered 3 x 250 ml and 2 boxes of 12", pii: [] },
  { text: "我买了3件，还差2件", pii: [] },
  { text: "app version 10.2.3.4 on iOS 17.4.1", pii: [] },
  { text: "v2.0.0-beta.1 build 1.2.3.4", pii: [] },
  { text: "room 1203, floor 12, ext. 4021", pii: [] },
  { text: "Temperature 36.6, score +12.5, +5 points", pii: [] },
  { text: "Ratio 16:9, C++ std::vector", pii: [] },
  { text: "MAC 00:1A:2B:3C:4D:5E", pii: [] },
  { text: "size 36 37 38 39 40 41 42", pii: [] },
  { text: "Amount 1,234,567,890,123,456", pii: [] },
  { text: "15.03.2024 12:00, ratio 1:2:3", pii: [] },
  { text: "1234 5678 9012 3456", pii: [] },
  // invalid look-alikes
  { text: "card 4111 1111 1111 1112", pii: [] },
  { text: "IBAN DE89 3704 0044 0532 0130 01", pii: [] },
  { text: "ID 110105194912310021", pii: [] },
  { text: "000-12-3456 and 666-12-3456 and 123-00-4567", pii: [] },
  { text: "999.168.1.1 or 192.168.1", pii: [] },
  { text: "user@localhost, @support_team, foo @ bar", pii: [] },
  { text: "call 123-456-7890", pii: [] },
  // words near secrets
  { text: "The password reset link isn't working", pii: [] },
  { text: "I forgot my password, my password is incorrect", pii: [] },
  { text: "密码错误怎么办", pii: [] },
  { text: "验证码收不到，验证码6位数", pii: [] },
  { text: "忘记密码 please help", pii: [] },
  { text: "discount code: SUMMER20", pii: [] },
  { text: "The token is expired", pii: [] },
  { text: "PIN: 12, token: abc, code 1234", pii: [] },
  { text: "密码: 我忘了", pii: [] },
  { text: "call 555-0199", pii: [] },
  // known false positives (documented trade-offs)
  {
    text: "I got 15800012345 from the app",
    pii: [],
    limitation: { got: [["phone", "15800012345"]], why: "an unlabelled 11-digit number starting 1[3-9] is read as a CN mobile, the most common PII in Chinese chats" },
  },
  {
    text: "hotline 400-820-8820",
    pii: [],
    limitation: { got: [["phone", "400-820-8820"]], why: "a CN 400 business hotline has the NANP shape; redacting it costs little" },
  },
  {
    text: "reference 4539578763621486 from the app",
    pii: [],
    limitation: { got: [["card", "4539578763621486"]], why: "an unlabelled Luhn-valid number in a card range is read as a card" },
  },
];

export const ALL_CASES: readonly PiiCase[] = [...POSITIVES, ...NEAR_MISSES];
