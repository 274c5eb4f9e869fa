import { describe, expect, it } from "vitest";
import { isOpen, parseBusinessHours, type BusinessHours } from "../../src/desk/business-hours.ts";

function hours(raw: string): BusinessHours {
  const parsed = parseBusinessHours(raw);
  if (!parsed.ok) throw new Error(parsed.issue);
  return parsed.hours;
}

const at = (iso: string) => Date.parse(iso);

describe("business hours parsing", () => {
  it("reads days, times and the time zone into weekly windows", () => {
    expect(parseBusinessHours("Mon-Sat 08:00-20:00 Europe/Berlin")).toEqual({
      ok: true,
      hours: { timeZone: "Europe/Berlin", windows: [0, 1, 2, 3, 4, 5].map((day) => ({ day, start: 480, end: 1200 })) },
    });
  });

  it("reads day lists, several groups and several ranges per group", () => {
    const h = hours("Mon,Wed,Fri 00:00-24:00, Sat 10:00-12:00 13:00-14:00 UTC");
    expect(h.windows).toEqual([
      { day: 0, start: 0, end: 1440 },
      { day: 2, start: 0, end: 1440 },
      { day: 4, start: 0, end: 1440 },
      { day: 5, start: 600, end: 720 },
      { day: 5, start: 780, end: 840 },
    ]);
  });

  it.each([
    ["an empty string", "", "empty"],
    ["no time zone", "Mon-Fri 09:00-17:00", "must end with a time zone"],
    ["an unknown time zone", "Mon-Fri 09:00-17:00 Mars/Olympus_Mons", 'unknown time zone "Mars/Olympus_Mons"'],
    ["only a time zone", "UTC", "name no days"],
    ["a misspelt day", "Mon-Fry 09:00-17:00 UTC", '"Mon-Fry" is neither a day'],
    ["hours without minutes", "Mon-Fri 9-17 UTC", '"9-17" is neither a day'],
    ["an hour past 24", "Mon-Fri 09:00-25:00 UTC", '"09:00-25:00" is not a time range'],
    ["minute 60", "Mon-Fri 09:60-17:00 UTC", '"09:60-17:00" is not a time range'],
    ["a range starting at 24:00", "Mon 24:00-02:00 UTC", "is not a time range"],
    ["an empty range", "Mon-Fri 09:00-09:00 UTC", "is empty"],
    ["a range before any day", "09:00-17:00 Mon UTC", "must follow the days"],
    ["days without a range at the end", "Mon-Fri 09:00-17:00, Sat UTC", "missing a time range"],
  ])("refuses %s with an issue that says what is wrong", (_name, raw, issue) => {
    const parsed = parseBusinessHours(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issue).toContain(issue);
  });
});

describe("business hours are checked on the team's wall clock", () => {
  it.each([
    // Berlin springs forward on Sunday 30 March 2025: the same UTC time is an hour later locally.
    ["Sat 07:30 CET (06:30Z) before the change", "2025-03-29T06:30:00Z", false],
    ["Sun 08:30 CEST (06:30Z) after the change", "2025-03-30T06:30:00Z", true],
    ["Sat 19:30 CET (18:30Z)", "2025-03-29T18:30:00Z", true],
    ["Sun 20:30 CEST (18:30Z)", "2025-03-30T18:30:00Z", false],
    // Berlin falls back on Sunday 26 October 2025.
    ["Sat 08:30 CEST (06:30Z)", "2025-10-25T06:30:00Z", true],
    ["Sun 07:30 CET (06:30Z)", "2025-10-26T06:30:00Z", false],
    ["Sun 08:00 CET (07:00Z), the opening minute", "2025-10-26T07:00:00Z", true],
  ])("Europe/Berlin, daily 08:00-20:00: %s is %s", (_name, iso, open) => {
    expect(isOpen(hours("Mon-Sun 08:00-20:00 Europe/Berlin"), at(iso))).toBe(open);
  });

  it.each([
    // New York springs forward on Sunday 9 March 2025.
    ["Fri 08:00 EST (13:00Z)", "2025-03-07T13:00:00Z", false],
    ["Mon 09:00 EDT (13:00Z)", "2025-03-10T13:00:00Z", true],
    ["Mon 17:29 EDT", "2025-03-10T21:29:00Z", true],
    ["Mon 17:30 EDT, the closing minute", "2025-03-10T21:30:00Z", false],
    ["Sat 10:00 EST", "2025-03-08T15:00:00Z", true],
    ["Sat 14:00 EST", "2025-03-08T19:00:00Z", false],
    ["Sun 12:00 EDT", "2025-03-09T16:00:00Z", false],
  ])("America/New_York, Mon-Fri 09:00-17:30 and Sat 10:00-14:00: %s is %s", (_name, iso, open) => {
    expect(isOpen(hours("Mon-Fri 09:00-17:30, Sat 10:00-14:00 America/New_York"), at(iso))).toBe(open);
  });

  it.each([
    ["Mon,Wed,Fri 00:00-24:00 UTC", "2025-01-01T23:59:00Z", true],
    ["Mon,Wed,Fri 00:00-24:00 UTC", "2025-01-02T00:00:00Z", false],
    ["Fri 22:00-02:00 UTC", "2025-01-03T21:59:00Z", false],
    ["Fri 22:00-02:00 UTC", "2025-01-04T01:59:00Z", true],
    ["Fri 22:00-02:00 UTC", "2025-01-04T02:00:00Z", false],
    ["Sat-Mon 10:00-12:00 UTC", "2025-01-05T11:00:00Z", true],
    ["Sat-Mon 10:00-12:00 UTC", "2025-01-07T11:00:00Z", false],
  ])("%s at %s is %s", (raw, iso, open) => {
    expect(isOpen(hours(raw), at(iso))).toBe(open);
  });
});
