// A team's opening hours (`BUSINESS_HOURS`, e.g. `Mon-Fri 09:00-17:30, Sat 10:00-14:00
// Europe/Berlin`): parsed once into weekly windows of local wall-clock time, then checked
// with Intl in the team's time zone, so daylight saving time needs no arithmetic of ours.

/** Weekday numbers used in windows: 0 is Monday, 6 is Sunday. */
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** One open stretch on one local weekday, in minutes after local midnight (`end` may be 1440). */
export interface OpenWindow {
  day: number;
  start: number;
  end: number;
}

/** Parsed business hours: plain JSON, so it can sit in a config object or in storage. */
export interface BusinessHours {
  /** The canonical IANA time zone name (`UTC`, `Europe/Berlin`). */
  timeZone: string;
  windows: OpenWindow[];
}

export type BusinessHoursParse = { ok: true; hours: BusinessHours } | { ok: false; issue: string };

const DAY = /^([A-Za-z]{3})(?:-([A-Za-z]{3}))?$/;
const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/**
 * Parses `<days> <HH:MM-HH:MM>[, <days> <HH:MM-HH:MM>…] <time zone>`. Days are `Mon`, ranges
 * `Mon-Fri` (wrapping like `Sat-Mon` is allowed) or lists `Mon,Wed,Fri`; a group may have
 * several ranges (`Mon-Fri 09:00-12:00 13:00-17:00`); a range ending before it starts runs
 * past midnight into the next day. An invalid string gives an `issue` naming the bad part.
 */
export function parseBusinessHours(raw: string): BusinessHoursParse {
  const tokens = raw.split(/[\s,]+/).filter(Boolean);
  const zone = tokens.pop();
  if (!zone) return { ok: false, issue: "business hours are empty" };
  if (dayGroup(zone) || RANGE.test(zone)) return { ok: false, issue: "business hours must end with a time zone such as Europe/Berlin or UTC" };
  const timeZone = canonicalZone(zone);
  if (!timeZone) return { ok: false, issue: `unknown time zone "${zone}"` };
  if (tokens.length === 0) return { ok: false, issue: "business hours name no days and times" };

  const windows: OpenWindow[] = [];
  let days: number[] = [];
  let ranged = false;
  for (const token of tokens) {
    const range = RANGE.exec(token);
    if (range) {
      if (days.length === 0) return { ok: false, issue: `time range "${token}" must follow the days it applies to` };
      const start = minutes(range[1]!, range[2]!);
      const end = minutes(range[3]!, range[4]!);
      if (start === null || end === null || start === 1440) return { ok: false, issue: `"${token}" is not a time range between 00:00 and 24:00` };
      if (start === end) return { ok: false, issue: `time range "${token}" is empty` };
      for (const day of days) windows.push(...windowsFor(day, start, end));
      ranged = true;
      continue;
    }
    const group = dayGroup(token);
    if (!group) return { ok: false, issue: `"${token}" is neither a day (Mon, Mon-Fri) nor a time range (09:00-17:00)` };
    if (ranged) {
      days = [];
      ranged = false;
    }
    days.push(...group);
  }
  if (!ranged) return { ok: false, issue: "the last days are missing a time range" };
  return { ok: true, hours: { timeZone, windows } };
}

/** Whether the team is open at the instant `atMs`, judged by the wall clock of its time zone. */
export function isOpen(hours: BusinessHours, atMs: number): boolean {
  const { day, minute } = localTime(hours.timeZone, atMs);
  return hours.windows.some((w) => w.day === day && w.start <= minute && minute < w.end);
}

/** The local weekday (0 = Monday) and minute of the day at `atMs` in `timeZone`. */
export function localTime(timeZone: string, atMs: number): { day: number; minute: number } {
  const parts = formatter(timeZone).formatToParts(new Date(atMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const day = WEEKDAYS.indexOf(part("weekday") as (typeof WEEKDAYS)[number]);
  // Some engines write midnight as 24 even in a 23-hour cycle.
  const hour = Number(part("hour")) % 24;
  return { day, minute: hour * 60 + Number(part("minute")) };
}

function windowsFor(day: number, start: number, end: number): OpenWindow[] {
  if (end > start) return [{ day, start, end }];
  const spill: OpenWindow[] = end > 0 ? [{ day: (day + 1) % 7, start: 0, end }] : [];
  return [{ day, start, end: 1440 }, ...spill];
}

function dayGroup(token: string): number[] | null {
  const m = DAY.exec(token);
  if (!m) return null;
  const from = dayIndex(m[1]!);
  const to = m[2] === undefined ? from : dayIndex(m[2]);
  if (from < 0 || to < 0) return null;
  const days = [from];
  for (let d = from; d !== to; ) {
    d = (d + 1) % 7;
    days.push(d);
  }
  return days;
}

function dayIndex(name: string): number {
  return WEEKDAYS.findIndex((d) => d.toLowerCase() === name.toLowerCase());
}

function minutes(hh: string, mm: string): number | null {
  const h = Number(hh);
  const m = Number(mm);
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return null;
  return h * 60 + m;
}

function canonicalZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters are costly to build and immutable, so one per time zone is kept. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}
