// Tests of the list's date buckets and formats (fixed locales, local time).
import { describe, expect, it } from "vitest";
import { dateBucket, formatFullDate, formatListDate } from "./dates";

const secs = (d: Date) => Math.floor(d.getTime() / 1000);
// Wednesday 13 March 2024, 16:30 local time.
const now = new Date(2024, 2, 13, 16, 30);

describe("dateBucket", () => {
  it("puts the same calendar day in today, even just after midnight", () => {
    expect(dateBucket(new Date(2024, 2, 13, 0, 1), now)).toBe("today");
    expect(dateBucket(new Date(2024, 2, 13, 23, 59), now)).toBe("today");
  });
  it("puts the six days before in week", () => {
    expect(dateBucket(new Date(2024, 2, 12, 23, 59), now)).toBe("week");
    expect(dateBucket(new Date(2024, 2, 7, 0, 0), now)).toBe("week");
  });
  it("puts seven or more days back in year, within the same year", () => {
    expect(dateBucket(new Date(2024, 2, 6, 12, 0), now)).toBe("year");
    expect(dateBucket(new Date(2024, 0, 1, 0, 0), now)).toBe("year");
  });
  it("puts earlier years in older", () => {
    expect(dateBucket(new Date(2023, 11, 31, 23, 0), now)).toBe("older");
  });
  it("does not call a future date this week", () => {
    expect(dateBucket(new Date(2024, 2, 14, 9, 0), now)).toBe("year");
    expect(dateBucket(new Date(2025, 0, 2, 9, 0), now)).toBe("older");
  });
});

describe("formatListDate", () => {
  it("shows the time for today", () => {
    expect(formatListDate(secs(new Date(2024, 2, 13, 14, 5)), now, "en-GB")).toBe("14:05");
  });
  it("shows the weekday within the week", () => {
    expect(formatListDate(secs(new Date(2024, 2, 11, 9, 0)), now, "en-GB")).toBe("Mon");
  });
  it("shows day and month this year", () => {
    expect(formatListDate(secs(new Date(2024, 1, 12, 9, 0)), now, "en-GB")).toBe("12 Feb");
  });
  it("shows the full numeric date for older mail", () => {
    expect(formatListDate(secs(new Date(2023, 2, 12, 9, 0)), now, "en-GB")).toBe("12/03/2023");
  });
  it("follows the locale's conventions", () => {
    expect(formatListDate(secs(new Date(2023, 2, 12, 9, 0)), now, "en-US")).toBe("03/12/2023");
    expect(formatListDate(secs(new Date(2024, 2, 13, 14, 5)), now, "de-DE")).toBe("14:05");
  });
  it("gives nothing for an unknown date", () => {
    expect(formatListDate(0, now, "en-GB")).toBe("");
    expect(formatListDate(Number.NaN, now, "en-GB")).toBe("");
  });
});

describe("formatFullDate", () => {
  it("spells out weekday, day, month, year and time", () => {
    const s = formatFullDate(secs(new Date(2024, 2, 12, 14, 5)), "en-GB");
    expect(s).toContain("Tuesday");
    expect(s).toContain("12 March 2024");
    expect(s).toContain("14:05");
  });
});
