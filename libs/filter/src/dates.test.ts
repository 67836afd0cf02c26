import { describe, expect, it } from "vitest";
import { canonicalDate, macroValue, parseDate } from "./dates.ts";

describe("parseDate", () => {
  it("reads dates, date-times, fractions and offsets into canonical UTC", () => {
    expect(parseDate("2024-02-29")).toBe("2024-02-29T00:00:00.000Z");
    expect(parseDate("2024-02-29 10:20")).toBe("2024-02-29T10:20:00.000Z");
    expect(parseDate("2024-02-29T10:20:30.5Z")).toBe("2024-02-29T10:20:30.500Z");
    expect(parseDate("2024-02-29T10:20:30.123000Z")).toBe("2024-02-29T10:20:30.123Z");
    expect(parseDate("2024-03-01T01:00:00+02:00")).toBe("2024-02-29T23:00:00.000Z");
    expect(parseDate("0001-01-01")).toBe("0001-01-01T00:00:00.000Z");
  });

  it("refuses what is not a valid date", () => {
    for (const text of [
      "2023-02-29",
      "2024-13-01",
      "2024-1-01",
      "2024-01-01T24:00",
      "2024-01-01T10:00:60",
      "2024-01-01T10:00:00.1234Z",
      "2024-01-01T10:00:00+0200",
      "2024-01-01Z",
      "soon",
      "",
      "0001-01-01T00:00:00+01:00",
      "0000-06-01",
    ]) {
      expect(parseDate(text), text).toBeNull();
    }
  });
});

describe("macroValue", () => {
  const now = Date.UTC(2024, 1, 29, 15, 30, 45, 123);
  it("computes the datetime macros in UTC", () => {
    expect(macroValue("now", now)).toBe("2024-02-29T15:30:45.123Z");
    expect(macroValue("todayStart", now)).toBe("2024-02-29T00:00:00.000Z");
    expect(macroValue("todayEnd", now)).toBe("2024-02-29T23:59:59.999Z");
    expect(macroValue("monthStart", now)).toBe("2024-02-01T00:00:00.000Z");
    expect(macroValue("monthEnd", now)).toBe("2024-02-29T23:59:59.999Z");
    expect(macroValue("yearStart", now)).toBe("2024-01-01T00:00:00.000Z");
    expect(macroValue("yearEnd", now)).toBe("2024-12-31T23:59:59.999Z");
    expect(macroValue("yesterday", now)).toBe("2024-02-28T15:30:45.123Z");
    expect(macroValue("weekday", now)).toBe(4);
    expect(canonicalDate(0)).toBe("1970-01-01T00:00:00.000Z");
  });
});
