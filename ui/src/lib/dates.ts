// Dates for people: the message list's short buckets and the reader's full form, in the OS locale.

/** Which short form a message date gets in the list. */
export type DateBucket = "today" | "week" | "year" | "older";

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** Intl formatters are slow to build and the list formats dozens of dates per frame: keep them. */
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

function localMidnight(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The bucket of `date` seen from `now`: same day, the six days before, this year, or older. */
export function dateBucket(date: Date, now: Date): DateBucket {
  const day = localMidnight(date);
  const today = localMidnight(now);
  if (day === today) return "today";
  // Whole calendar days back; rounding absorbs a daylight-saving hour.
  const daysAgo = Math.round((today - day) / DAY_MS);
  if (daysAgo > 0 && daysAgo < 7) return "week";
  if (date.getFullYear() === now.getFullYear()) return "year";
  return "older";
}

/**
 * The list's date: "14:05" today, "Mon" within the week, "12 Mar" this year, "12/03/2024" before
 * (each in the locale's own order and words). `unixSeconds` <= 0 means unknown and gives "".
 */
export function formatListDate(unixSeconds: number, now: Date = new Date(), locale?: string): string {
  if (!Number.isFinite(unixSeconds) || unixSeconds <= 0) return "";
  const date = new Date(unixSeconds * 1000);
  switch (dateBucket(date, now)) {
    case "today":
      return formatter(locale, { hour: "numeric", minute: "2-digit" }).format(date);
    case "week":
      return formatter(locale, { weekday: "short" }).format(date);
    case "year":
      return formatter(locale, { day: "numeric", month: "short" }).format(date);
    case "older":
      return formatter(locale, { day: "2-digit", month: "2-digit", year: "numeric" }).format(date);
  }
}

/** The reader's date, e.g. "Tuesday 12 March 2024 at 14:05". */
export function formatFullDate(unixSeconds: number, locale?: string): string {
  if (!Number.isFinite(unixSeconds) || unixSeconds <= 0) return "";
  return formatter(locale, { dateStyle: "full", timeStyle: "short" }).format(new Date(unixSeconds * 1000));
}
