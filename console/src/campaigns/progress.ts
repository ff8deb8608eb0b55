/** A campaign's send, in numbers a progress bar and a funnel show. */

import type { Campaign, CampaignAnalytics } from "../api/types";
import { formatCount, formatPercent, ratio } from "../format";
import type { Bar } from "../components/Bars";

export interface SendProgress {
  handled: number;
  total: number;
  /** 0–100, or null before the recipients are known */
  percent: number | null;
  text: string;
}

export function sendProgress(campaign: Pick<Campaign, "status" | "progress">): SendProgress {
  const { total = 0, sent = 0, failed = 0, suppressed = 0 } = campaign.progress;
  const handled = sent + failed + suppressed;
  const done = campaign.status === "sent";
  if (total === 0) {
    return { handled, total, percent: done ? 100 : null, text: done ? "Sent." : "Preparing the recipients…" };
  }
  const percent = Math.min(100, Math.round((handled / total) * 100));
  const parts = [`${formatCount(sent)} sent`];
  if (failed) parts.push(`${formatCount(failed)} failed`);
  if (suppressed) parts.push(`${formatCount(suppressed)} suppressed`);
  return { handled, total, percent: done ? 100 : percent, text: `${formatCount(handled)} of ${formatCount(total)} handled: ${parts.join(", ")}.` };
}

/** Sent → delivered → opened → clicked → converted, each with its share of the sent. */
export function funnelBars(analytics: CampaignAnalytics): Bar[] {
  const sent = analytics.sent ?? 0;
  const steps: [string, number][] = [
    ["Sent", sent],
    ["Delivered", analytics.delivered ?? 0],
    ["Opened", analytics.opened ?? 0],
    ["Clicked", analytics.clicked ?? 0],
    ["Converted", analytics.conversions ?? 0],
  ];
  return steps.map(([label, value]) => ({ label, value, note: label === "Sent" ? undefined : formatPercent(ratio(value, sent)) }));
}
