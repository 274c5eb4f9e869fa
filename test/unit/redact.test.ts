import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/kb/model/classifier.ts";
import { findPii, normalizeForDetection, redact } from "../../src/privacy/redact.ts";
import { isCardNumber, isCnIdChecksum, isIban, isIpv6 } from "../../src/privacy/pii-rules.ts";
import { NEAR_MISSES, POSITIVES, type PiiCase } from "../support/pii-cases.ts";
import { labelled, score } from "../support/pii-score.ts";

const row = (c: PiiCase) => [c.text, c] as const;

describe("the redaction table", () => {
  it("has at least 40 positives and 40 near-misses", () => {
    expect(POSITIVES.filter((c) => !c.limitation).length).toBeGreaterThanOrEqual(40);
    expect(NEAR_MISSES.filter((c) => !c.limitation).length).toBeGreaterThanOrEqual(40);
  });

  it.each(POSITIVES.filter((c) => !c.limitation).map(row))("finds the personal data in %j", (_text, c) => {
    expect(labelled(c.text)).toEqual(c.pii);
  });

  it.each(NEAR_MISSES.filter((c) => !c.limitation).map(row))("leaves %j untouched", (_text, c) => {
    expect(redact(c.text)).toEqual({ text: c.text, kinds: [] });
  });

  it.each([...POSITIVES, ...NEAR_MISSES].filter((c) => c.limitation).map(row))("keeps its documented trade-off for %j", (_text, c) => {
    expect(labelled(c.text)).toEqual(c.limitation!.got);
  });

  it("scores at least 90% precision and recall overall, and 80% for every kind, counting its trade-offs", () => {
    const scores = score([...POSITIVES, ...NEAR_MISSES]);
    for (const s of scores) {
      const floor = s.kind === "overall" ? 0.9 : 0.8;
      expect.soft(s.precision, `${s.kind} precision`).toBeGreaterThanOrEqual(floor);
      expect.soft(s.recall, `${s.kind} recall`).toBeGreaterThanOrEqual(floor);
    }
  });
});

describe("redact()", () => {
  it("replaces each piece with its typed placeholder and lists the distinct kinds in order", () => {
    expect(redact("Li 13812345678, li@example.cn, 13912345678, card 4111111111111111")).toEqual({
      text: "Li [phone], [email], [phone], card [card]",
      kinds: ["phone", "email", "card"],
    });
  });

  it("keeps the surrounding full-width and Chinese text exactly as it was", () => {
    expect(redact("（请联系）手机：１３８１２３４５６７８。谢谢！").text).toBe("（请联系）手机：[phone]。谢谢！");
  });

  it("keeps the key of a secret and replaces only its value", () => {
    expect(redact("密码是abc12345吗？password: hunter2").text).toBe("密码是[secret]吗？password: [secret]");
  });

  it("returns spans that do not overlap and come in order", () => {
    const spans = findPii("2001:db8::1 ::ffff:192.0.2.1 192.0.2.1 +86 138 1234 5678 13812345678 bob@x.io https://a:b@c.io/?token=zz9zz");
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    expect(spans.map((s) => s.kind)).toEqual(["ip", "ip", "ip", "phone", "phone", "email", "secret", "secret"]);
  });
});

describe("hostile input", () => {
  const cases: Array<[string, string]> = [
    ["lone surrogates", "\uD800 13812345678 \uDFFF\uD83D"],
    ["4000 digits", "1".repeat(4000)],
    ["4000 digits with separators", "1 2-".repeat(1000)],
    ["4000 characters of email-like text", "a.".repeat(1000) + "@" + "b.".repeat(999)],
    ["a long run of colons and hex", "a:".repeat(2000)],
    ["a plus before 4000 digits", "+" + "9".repeat(3999)],
    ["a secret keyword repeated", "password: ".repeat(400)],
    ["control characters and NULs", "\u0000\u0001\u001f 4111111111111111 \u007f"],
    ["an empty string", ""],
  ];
  it.each(cases)("never throws on %s, and keeps the text's length accounting right", (_name, text) => {
    const result = redact(text);
    expect(typeof result.text).toBe("string");
    for (const span of findPii(text)) expect(span.end).toBeLessThanOrEqual(text.length);
  });

  it("returns well-formed spans on 300 seeded random strings of digits, separators, letters, full-width and surrogates", () => {
    const alphabet = ["0", "1", "3", "4", "9", " ", "-", ".", ":", "@", "+", "(", ")", "=", "?", "&", "a", "X", "e", "密码", "是", "１", "＋", "－", "\uD800", "\uDC00", "\u3000", "\n"];
    const next = seededRandom(11);
    for (let n = 0; n < 300; n++) {
      let text = "";
      const length = Math.floor(next() * 400) + (n % 10 === 0 ? 3_600 : 0);
      while (text.length < length) text += alphabet[Math.floor(next() * alphabet.length)];
      const spans = findPii(text);
      let reached = 0;
      for (const span of spans) {
        expect(span.start).toBeGreaterThanOrEqual(reached);
        expect(span.end).toBeGreaterThan(span.start);
        expect(span.end).toBeLessThanOrEqual(text.length);
        reached = span.end;
      }
      // The fail-closed path (one span over everything) never triggers.
      expect(spans.some((span) => span.start === 0 && span.end === text.length && text.length > 200)).toBe(false);
      // Spans never cut a surrogate pair in half.
      for (const span of spans) expect(/^[\uDC00-\uDFFF]/.test(text.slice(span.start)) && /[\uD800-\uDBFF]$/.test(text.slice(0, span.start))).toBe(false);
    }
  });

  it("still finds the number between lone surrogates", () => {
    expect(redact("\uD800 13812345678 \uDFFF").text).toBe("\uD800 [phone] \uDFFF");
  });

  it("returns nothing for a value that is not a string", () => {
    expect(findPii(undefined as unknown as string)).toEqual([]);
  });
});

describe("detection rules", () => {
  it("normalises full-width digits and punctuation without changing the length", () => {
    const wide = "（＋８６）１３８－１２３４　５６７８＠ｘ．ｃｏ";
    expect(normalizeForDetection(wide)).toBe("(+86)138-1234 5678@x.co");
    expect(normalizeForDetection(wide).length).toBe(wide.length);
  });

  it.each([
    ["4111111111111111", true],
    ["4111111111111112", false],
    ["378282246310005", true],
    ["1234567812345670", false], // Luhn-valid, but no issuer starts with 1
    ["0000000000000000", false],
  ])("card %s valid: %s", (digits, valid) => expect(isCardNumber(digits)).toBe(valid));

  it.each([
    ["11010519491231002X", true],
    ["11010519491231002x", true],
    ["110105194912310021", false],
  ])("CN id %s valid: %s", (id, valid) => expect(isCnIdChecksum(id)).toBe(valid));

  it.each([
    ["GB29NWBK60161331926819", true],
    ["GB29NWBK60161331926818", false],
    ["XX29NWBK60161331926819", false],
    ["GB29NWBK6016133192681", false],
  ])("IBAN %s valid: %s", (iban, valid) => expect(isIban(iban)).toBe(valid));

  it.each([
    ["2001:db8::1", true],
    ["::1", true],
    ["1:2:3:4:5:6:7:8", true],
    ["::ffff:192.0.2.1", true],
    ["::", false],
    ["12:30:45", false],
    ["1::2::3", false],
    [":1:2:3:4:5:6:7", false],
    ["00:1A:2B:3C:4D:5E", false],
  ])("IPv6 %s valid: %s", (text, valid) => expect(isIpv6(text)).toBe(valid));
});
