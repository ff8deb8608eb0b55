/** How the console writes money, rates, counts and times. The API sends money as decimal
 * strings (never floats) and times as ISO 8601 UTC; they are shown in the user's time zone. */

const LOCALE = "en-GB";

/** "12.5", "GBP" → "£12.50". An unparseable amount is shown as it came. */
export function formatMoney(amount: string | number | null | undefined, currency = "GBP"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  try {
    return new Intl.NumberFormat(LOCALE, { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`; // an unknown currency code
  }
}

/** US dollars, with the decimals small amounts need: an email costs a fraction of a cent. */
export function formatUsd(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: value === 0 ? 2 : Math.abs(value) < 0.01 ? 6 : Math.abs(value) < 1 ? 4 : 2,
  }).format(value);
}

/** A rate as the API sends it (0.1234) → "12.3%". */
export function formatPercent(rate: number | null | undefined, fractionDigits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "—";
  return `${(rate * 100).toFixed(fractionDigits)}%`;
}

/** part / whole as a rate, 0 when there is no whole. */
export function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(LOCALE).format(value);
}

/** "2024-05-01T09:30:00Z" → "1 May 2024, 10:30" (in the user's zone). */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

/** "2024-05-01" (a calendar day, no zone) → "1 May 2024". */
export function formatDay(day: string | null | undefined): string {
  if (!day) return "—";
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!match) return day;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

export type Granularity = "hour" | "day";

/** A time chart's axis labels, as the rest of the console writes times (en-GB, 24-hour), for tick
 * times in seconds: days as "3 Nov" (calendar days, in UTC as the API counts them), hours as
 * "09:00" in `timeZone` (the user's by default) with the day under the first tick and under each
 * tick where a new day starts. */
export function axisLabels(seconds: number[], granularity: Granularity, timeZone?: string): string[] {
  const day = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", timeZone: granularity === "day" ? "UTC" : timeZone });
  if (granularity === "day") return seconds.map((at) => day.format(new Date(at * 1000)));
  const hour = new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  let previousDay = "";
  return seconds.map((at) => {
    const date = new Date(at * 1000);
    const thisDay = day.format(date);
    const label = thisDay === previousDay ? hour.format(date) : `${hour.format(date)}\n${thisDay}`;
    previousDay = thisDay;
    return label;
  });
}

/** A value for <input type="datetime-local"> from an ISO time, in the user's zone. */
export function toDateTimeLocal(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const offsetMs = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offsetMs).toISOString().slice(0, 16);
}

/** <input type="datetime-local"> (the user's zone) → ISO 8601 UTC, or null if empty/invalid. */
export function fromDateTimeLocal(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** <input type="date"> (a day in the user's zone) → ISO 8601 UTC of that day's last second there,
 * or null if empty/invalid: "valid until 2 May" means to the end of 2 May where the user is. */
export function endOfLocalDay(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  return fromDateTimeLocal(`${day}T23:59:59`); // a date-time without an offset is local time
}

const WORDS: Record<string, string> = { vip: "VIP" };

/** "repeat_customer" → "Repeat customer" */
export function humanize(value: string | null | undefined): string {
  if (!value) return "—";
  if (WORDS[value]) return WORDS[value];
  const spaced = value.replace(/_/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Numbers out of decimal strings for charts (display only; sums are never sent back). */
export function amountToNumber(amount: string | null | undefined): number {
  const value = Number(amount ?? 0);
  return Number.isFinite(value) ? value : 0;
}
