/** The overview's figures for a period, summed from the API's audience days. */

import type { AudienceDay } from "../api/types";
import { amountToNumber, ratio } from "../format";

export interface AudienceSummary {
  subscribed: number;
  /** Unsubscribed, bounced and complained: addresses the list lost */
  lost: number;
  netGrowth: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  conversions: number;
  /** Decimal string with 2 places */
  revenue: string;
  openRate: number;
  clickRate: number;
  conversionRate: number;
}

export function lostOn(day: AudienceDay): number {
  return (day.unsubscribed ?? 0) + (day.bounced ?? 0) + (day.complained ?? 0);
}

export function summarizeAudience(days: readonly AudienceDay[]): AudienceSummary {
  const sum = (pick: (day: AudienceDay) => number | undefined) => days.reduce((total, day) => total + (pick(day) ?? 0), 0);
  const subscribed = sum((d) => d.subscribed);
  const lost = sum(lostOn);
  const sent = sum((d) => d.sent);
  const delivered = sum((d) => d.delivered);
  const opened = sum((d) => d.opened);
  const clicked = sum((d) => d.clicked);
  const conversions = sum((d) => d.conversions);
  // Sum money in whole pennies: adding decimal strings as floats drifts (0.1 + 0.2).
  const pennies = days.reduce((total, day) => total + Math.round(amountToNumber(day.revenue) * 100), 0);
  // Rates as the campaign analytics define them: of the delivered (or, before delivery reports, the sent).
  const reached = delivered || sent;
  return {
    subscribed,
    lost,
    netGrowth: subscribed - lost,
    sent,
    delivered,
    opened,
    clicked,
    conversions,
    revenue: (pennies / 100).toFixed(2),
    openRate: ratio(opened, reached),
    clickRate: ratio(clicked, reached),
    conversionRate: ratio(conversions, reached),
  };
}
