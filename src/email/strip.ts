// What of an incoming mail is the customer's new text: the quoted history and the signature
// that mail clients add below it are cut before the text is stored or answered. Line based,
// for the common clients: Gmail and Apple Mail ("On … wrote:"), Outlook ("-----Original
// Message-----", a "From:/Sent:" header block), `>` quotes, the "-- " signature delimiter,
// mobile signatures, and Chinese clients ("在…写道：", "-----原始邮件-----", "发件人：").
// Every pattern is anchored and linear (no nested or adjacent quantifiers over one class).

/** A line that starts a quoted reply header on its own, in the languages mail clients write it in. */
const WROTE = /(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|написал\(а\)|написал)\s?:$/i;
/** How those headers begin: "On …", "Le …", "Am …", "El …", "Il …", "Op …", "Em …". */
const ON = /^(on|le|am|el|il|op|em)\s/i;
const CHINESE_WROTE = /^[在于].{0,200}写道\s?[：:]$/;
const ORIGINAL_MESSAGE = /^-{2,}\s?(original message|原始邮件|原始郵件)\s?-{2,}$/i;
/** Outlook's separator line before its header block. */
const UNDERSCORES = /^_{10,}$/;
const HEADER_FROM = /^(from|von|de|发件人|寄件者)\s?[:：]/i;
const HEADER_NEXT = /^(sent|date|to|subject|cc|gesendet|an|betreff|envoyé|à|objet|发送时间|日期|时间|收件人|主题)\s?[:：]/i;
const SIGNATURE = /^--\s?$/;
const MOBILE_SIGNATURE = /^(sent from my|get outlook for|sent from mail for|发自我的|从我的)/i;
const QUOTED = /^\s{0,3}>/;

/** How far below a "From:" line the rest of a header block must start, in lines. */
const HEADER_WINDOW = 4;
/** A mobile signature only counts in this many last lines. */
const TAIL = 3;

/** The customer's own text of a mail body: quoted history, quotes and signatures removed. */
export function stripReply(body: string): string {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const cut = historyStart(lines);
  const own = lines.slice(0, cut).filter((line) => !QUOTED.test(line));
  const signature = own.findIndex((line) => SIGNATURE.test(line));
  const kept = signature >= 0 ? own.slice(0, signature) : own;
  const text = kept.join("\n").trim();
  const tail = text.split("\n");
  const mobile = tail.findIndex((line, i) => i >= tail.length - TAIL && MOBILE_SIGNATURE.test(line.trim()));
  return (mobile >= 0 ? tail.slice(0, mobile) : tail).join("\n").trim();
}

/** The index of the first line of quoted history, or the number of lines when there is none. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (ORIGINAL_MESSAGE.test(line) || CHINESE_WROTE.test(line)) return i;
    // "On Mon, 1 Jan 2024, Ana <ana@example.com> wrote:", sometimes wrapped onto a second line.
    if (ON.test(line) && (WROTE.test(line) || WROTE.test(lines[i + 1]?.trim() ?? ""))) return i;
    if (UNDERSCORES.test(line) && HEADER_FROM.test(lines[i + 1]?.trim() ?? "")) return i;
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 1 + HEADER_WINDOW).some((l) => HEADER_NEXT.test(l.trim()))) return i;
  }
  return lines.length;
}
