import { describe, expect, it } from "vitest";

import type { AudienceDay } from "../api/types";
import { summarizeAudience } from "./audience";

const ZERO = { subscribed: 0, unsubscribed: 0, bounced: 0, complained: 0, sent: 0, delivered: 0, opened: 0, clicked: 0, conversions: 0, revenue: "0.00" };
const day = (date: string, values: Partial<AudienceDay>): AudienceDay => ({ ...ZERO, date, ...values });

describe("summarizeAudience", () => {
  it("sums the period and nets subscriptions gained against those lost", () => {
    const summary = summarizeAudience([
      day("2030-01-01", { subscribed: 10, unsubscribed: 2, bounced: 1, sent: 100, delivered: 80, opened: 40, clicked: 8, conversions: 2, revenue: "0.10" }),
      day("2030-01-02", { subscribed: 3, complained: 1, sent: 20, delivered: 20, opened: 10, clicked: 2, revenue: "0.20" }),
    ]);
    expect(summary).toMatchObject({ subscribed: 13, lost: 4, netGrowth: 9, sent: 120, revenue: "0.30" });
    expect(summary.openRate).toBe(0.5);
    expect(summary.clickRate).toBe(0.1);
    expect(summary.conversionRate).toBe(0.02);
  });

  it("has zero rates for a quiet period", () => {
    expect(summarizeAudience([day("2030-01-01", {})])).toMatchObject({ netGrowth: 0, openRate: 0, revenue: "0.00" });
  });
});
