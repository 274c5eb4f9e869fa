// Words too common to tell articles apart. Dropping them keeps ranking sharp and keeps
// queries from touching every row of a large KB.

export const ENGLISH_STOPWORDS = new Set(
  (
    "a about above after again all also am an and any are as at be been before being below between both but by can could did do does doing done " +
    "down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my " +
    "myself no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then " +
    "there these they this those through to too under until up very was we were what when where which while who whom why will with would you " +
    "your yours yourself please hi hello hey thanks thank ok okay im ive id dont cant get got want need like know tell"
  ).split(" "),
);

/** Single Chinese characters that carry no topic on their own. */
export const CHINESE_STOP_CHARS = new Set("的了吗呢吧啊呀么是在我你他她它们这那有和与就也都还要会能可以请问怎".split(""));
