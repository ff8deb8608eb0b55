import { describe, expect, it, vi } from "vitest";

import {
  axisLabels,
  formatCount,
  formatDateTime,
  formatDay,
  formatMoney,
  formatPercent,
  formatUsd,
  endOfLocalDay,
  fromDateTimeLocal,
  humanize,
  ratio,
} from "./format";

describe("money", () => {
  it("writes decimal strings in their currency", () => {
    expect(formatMoney("12.5", "GBP")).toBe("£12.50");
    expect(formatMoney("1234.56", "EUR")).toBe("€1,234.56");
    expect(formatMoney("0.00")).toBe("£0.00");
  });

  it("shows what it cannot read as it came", () => {
    expect(formatMoney("n/a")).toBe("n/a");
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney("5", "XYZ1")).toBe("5.00 XYZ1");
  });

  it("keeps fractions of a cent in costs", () => {
    expect(formatUsd("0.0123")).toBe("$0.0123");
    expect(formatUsd("0.000123")).toBe("$0.000123");
    expect(formatUsd("12.5")).toBe("$12.50");
    expect(formatUsd("0")).toBe("$0.00");
  });
});

describe("rates and counts", () => {
  it("writes rates as percentages", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(0.5, 0)).toBe("50%");
    expect(formatPercent(undefined)).toBe("—");
    expect(formatPercent(Number.NaN)).toBe("—");
  });

  it("divides safely", () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(3, 0)).toBe(0);
  });

  it("groups thousands", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
  });
});

describe("dates", () => {
  it("writes times in the zone asked for", () => {
    expect(formatDateTime("2024-05-01T09:30:00Z", "Europe/London")).toBe("1 May 2024, 10:30");
    expect(formatDateTime("2024-12-01T09:30:00Z", "UTC")).toBe("1 Dec 2024, 09:30");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("not a date");
  });

  it("writes calendar days without shifting them", () => {
    expect(formatDay("2024-05-01")).toBe("1 May 2024");
  });

  it("labels a chart's days as calendar days, day first, whatever the user's zone", () => {
    const days = ["2026-11-01", "2026-11-05", "2026-12-31"].map((day) => Date.parse(day) / 1000);
    expect(axisLabels(days, "day", "America/New_York")).toEqual(["1 Nov", "5 Nov", "31 Dec"]);
  });

  it("labels a chart's hours on the 24-hour clock, with the day where one starts", () => {
    const hours = ["2026-11-30T22:00:00Z", "2026-11-30T23:00:00Z", "2026-12-01T00:00:00Z"].map((iso) => Date.parse(iso) / 1000);
    expect(axisLabels(hours, "hour", "UTC")).toEqual(["22:00\n30 Nov", "23:00", "00:00\n1 Dec"]);
    expect(axisLabels(hours, "hour", "Europe/Berlin")).toEqual(["23:00\n30 Nov", "00:00\n1 Dec", "01:00"]);
  });

  it("turns a datetime-local value into ISO UTC", () => {
    const iso = fromDateTimeLocal("2030-01-02T03:04");
    expect(iso).toBe(new Date(2030, 0, 2, 3, 4).toISOString());
    expect(fromDateTimeLocal("")).toBeNull();
  });

  it("ends a chosen day at its last second in the user's zone, not in UTC", () => {
    expect(endOfLocalDay("2030-01-02")).toBe(new Date(2030, 0, 2, 23, 59, 59).toISOString());
    expect(endOfLocalDay("")).toBeNull();
    expect(endOfLocalDay("2030-13-45")).toBeNull();
    // Node takes a new TZ at once: the user's zone, whatever the machine's.
    try {
      vi.stubEnv("TZ", "America/New_York");
      expect(endOfLocalDay("2030-01-02")).toBe("2030-01-03T04:59:59.000Z");
      expect(endOfLocalDay("2030-07-02")).toBe("2030-07-03T03:59:59.000Z"); // summer time
      vi.stubEnv("TZ", "Pacific/Auckland");
      expect(endOfLocalDay("2030-01-02")).toBe("2030-01-02T10:59:59.000Z");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("humanizes enum values", () => {
    expect(humanize("repeat_customer")).toBe("Repeat customer");
    expect(humanize("vip")).toBe("VIP");
  });
});
