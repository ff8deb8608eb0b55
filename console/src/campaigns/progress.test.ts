import { describe, expect, it } from "vitest";

import type { CampaignAnalytics } from "../api/types";
import { funnelBars, sendProgress } from "./progress";

describe("sendProgress", () => {
  it("counts sent, failed and suppressed recipients as handled", () => {
    const progress = sendProgress({ status: "sending", progress: { total: 200, sent: 90, failed: 5, suppressed: 5, queued: 100 } });
    expect(progress).toMatchObject({ handled: 100, total: 200, percent: 50 });
    expect(progress.text).toBe("100 of 200 handled: 90 sent, 5 failed, 5 suppressed.");
  });

  it("has no value while the recipients are not known yet", () => {
    expect(sendProgress({ status: "sending", progress: { total: 0, sent: 0, failed: 0, suppressed: 0, queued: 0 } }).percent).toBeNull();
  });

  it("is full once sent", () => {
    expect(sendProgress({ status: "sent", progress: { total: 3, sent: 2, failed: 0, suppressed: 0, queued: 1 } }).percent).toBe(100);
  });
});

describe("funnelBars", () => {
  it("gives each step its share of the emails sent", () => {
    const analytics = { sent: 200, delivered: 190, opened: 100, clicked: 20, conversions: 5 } as CampaignAnalytics;
    expect(funnelBars(analytics)).toEqual([
      { label: "Sent", value: 200, note: undefined },
      { label: "Delivered", value: 190, note: "95.0%" },
      { label: "Opened", value: 100, note: "50.0%" },
      { label: "Clicked", value: 20, note: "10.0%" },
      { label: "Converted", value: 5, note: "2.5%" },
    ]);
  });
});
