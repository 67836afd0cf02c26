/** Datetime macros and how a string is read as a date; every date is UTC. */

/** The `@` macros a filter may use. */
export const MACRO_NAMES = [
  "now",
  "todayStart",
  "todayEnd",
  "monthStart",
  "monthEnd",
  "yearStart",
  "yearEnd",
  "yesterday",
  "tomorrow",
  "second",
  "minute",
  "hour",
  "day",
  "month",
  "year",
  "weekday",
] as const;

/** One of {@link MACRO_NAMES}. */
export type MacroName = (typeof MACRO_NAMES)[number];

const NUMERIC_MACROS: ReadonlySet<MacroName> = new Set([
  "second",
  "minute",
  "hour",
  "day",
  "month",
  "year",
  "weekday",
]);

/** True when the macro gives a number (`@hour` …) rather than a date. */
export function isNumericMacro(name: MacroName): boolean {
  return NUMERIC_MACROS.has(name);
}

const DAY_MS = 86_400_000;
// Dates are compared as canonical strings, which only sort chronologically within 4-digit years.
// PostgreSQL has no year 0, and 5-digit years would break the string order.
const MIN_MS = utcDay(1, 1, 1);
const MAX_MS = utcDay(9999, 12, 31) + DAY_MS - 1;

/** Midnight UTC of a calendar day; `Date.UTC` would read years 0–99 as 1900–1999. */
function utcDay(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** The canonical form of a date: `YYYY-MM-DDTHH:mm:ss.sssZ` in UTC. */
export function canonicalDate(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}

/** The value of a macro at `nowMs`. */
export function macroValue(name: MacroName, nowMs: number): string | number {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (name) {
    case "now":
      return canonicalDate(nowMs);
    case "todayStart":
      return canonicalDate(Date.UTC(y, m, day));
    case "todayEnd":
      return canonicalDate(Date.UTC(y, m, day + 1) - 1);
    case "monthStart":
      return canonicalDate(Date.UTC(y, m, 1));
    case "monthEnd":
      return canonicalDate(Date.UTC(y, m + 1, 1) - 1);
    case "yearStart":
      return canonicalDate(Date.UTC(y, 0, 1));
    case "yearEnd":
      return canonicalDate(Date.UTC(y + 1, 0, 1) - 1);
    case "yesterday":
      return canonicalDate(nowMs - DAY_MS);
    case "tomorrow":
      return canonicalDate(nowMs + DAY_MS);
    case "second":
      return d.getUTCSeconds();
    case "minute":
      return d.getUTCMinutes();
    case "hour":
      return d.getUTCHours();
    case "day":
      return day;
    case "month":
      return m + 1;
    case "year":
      return y;
    case "weekday":
      return d.getUTCDay();
  }
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    value = value * 10 + c;
  }
  return value;
}

/**
 * Reads `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:mm`, `:ss`, `.fraction` and `Z` or
 * `±HH:mm`. No zone means UTC. Fraction digits past milliseconds must be zeros. Returns the
 * canonical form, or null when the text is not such a date.
 */
export function parseDate(text: string): string | null {
  if (text.length < 10 || text.length > 40) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || text[4] !== "-" || text[7] !== "-") {
    return null;
  }
  let ms = 0;
  let offsetMinutes = 0;
  let i = 10;
  if (i < text.length) {
    if ((text[i] !== "T" && text[i] !== " ") || text[i + 3] !== ":") return null;
    const hour = digits(text, i + 1, 2);
    const minute = digits(text, i + 4, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
    ms = (hour * 60 + minute) * 60_000;
    i += 6;
    if (text[i] === ":") {
      const second = digits(text, i + 1, 2);
      if (second < 0 || second > 59) return null;
      ms += second * 1000;
      i += 3;
      if (text[i] === ".") {
        const start = ++i;
        while (i < text.length && digits(text, i, 1) >= 0) i++;
        const count = i - start;
        if (count === 0 || count > 9) return null;
        ms += digits(text, start, Math.min(count, 3)) * 10 ** (3 - Math.min(count, 3));
        if (count > 3 && digits(text, start + 3, count - 3) !== 0) return null;
      }
    }
    if (text[i] === "Z") i++;
    else if (text[i] === "+" || text[i] === "-") {
      const oh = digits(text, i + 1, 2);
      const om = digits(text, i + 4, 2);
      if (text[i + 3] !== ":" || oh < 0 || oh > 23 || om < 0 || om > 59) return null;
      offsetMinutes = (text[i] === "+" ? 1 : -1) * (oh * 60 + om);
      i += 6;
    }
    if (i !== text.length) return null;
  }
  const midnight = utcDay(year, month, day);
  if (new Date(midnight).getUTCDate() !== day) return null;
  const total = midnight + ms - offsetMinutes * 60_000;
  if (total < MIN_MS || total > MAX_MS) return null;
  return canonicalDate(total);
}
