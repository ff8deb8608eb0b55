import { useMemo } from "react";

import { unwrap } from "../api/client";
import type { CampaignAnalytics, LinkClicks, MailingTimeline } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { Bars } from "../components/Bars";
import { Card } from "../components/Page";
import { TimeSeriesChart } from "../components/TimeSeriesChart";
import { formatCount, formatDateTime, formatDay, formatMoney, formatPercent } from "../format";
import { useLoad, usePoll } from "../hooks";
import { funnelBars } from "./progress";

interface CampaignCharts {
  analytics: CampaignAnalytics;
  timeline: MailingTimeline;
  links: LinkClicks[];
}

function Stats({ analytics }: { analytics: CampaignAnalytics }) {
  const currency = analytics.currency ?? "GBP";
  const stats: [string, string, string?][] = [
    ["Revenue", formatMoney(analytics.revenue, currency), `${formatCount(analytics.conversions)} orders`],
    ["Open rate", formatPercent(analytics.open_rate)],
    ["Click rate", formatPercent(analytics.click_rate), `${formatPercent(analytics.click_to_open_rate)} of opens`],
    ["Conversion rate", formatPercent(analytics.conversion_rate)],
    ["Bounced", formatCount(analytics.bounced), formatPercent(analytics.bounce_rate, 2)],
    ["Complaints", formatCount(analytics.complained), formatPercent(analytics.complaint_rate, 2)],
    ["Unsubscribed", formatCount(analytics.unsubscribed), formatPercent(analytics.unsubscribe_rate, 2)],
  ];
  // Recipients who have not consented to tracking are counted per hit, not per person (and so are
  // left out of the rates above).
  if (analytics.anonymous_opens || analytics.anonymous_clicks) {
    stats.push(["Untracked opens", formatCount(analytics.anonymous_opens), "not in the rates: no tracking consent"]);
    stats.push(["Untracked clicks", formatCount(analytics.anonymous_clicks), "every hit, not unique"]);
  }
  return (
    <dl className="stats">
      {stats.map(([label, value, sub]) => (
        <div className="stat" key={label}>
          <dt>{label}</dt>
          <dd>
            {value}
            {sub && <span className="sub">{sub}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A mailing's opens, clicks and conversions over time (a campaign's, or one automation email's). */
export function MailingTimelineChart({ timeline, title = "Opens and clicks" }: { timeline: MailingTimeline; title?: string }) {
  const { times, series } = useMemo(
    () => ({
      times: timeline.buckets.map((bucket) => bucket.start),
      series: [
        { label: "Opened", values: timeline.buckets.map((b) => b.opened ?? 0), color: "#1d4ed8" },
        { label: "Clicked", values: timeline.buckets.map((b) => b.clicked ?? 0), color: "#7c3aed" },
        { label: "Conversions", values: timeline.buckets.map((b) => b.conversions ?? 0), color: "#15803d" },
      ],
    }),
    [timeline],
  );
  return (
    <TimeSeriesChart
      title={`${title} by ${timeline.granularity}`}
      times={times}
      granularity={timeline.granularity}
      series={series}
      formatTime={timeline.granularity === "hour" ? (iso) => formatDateTime(iso) : (iso) => formatDay(iso)}
    />
  );
}

/** The campaign's results; `live` re-reads them every few seconds while emails go out and
 * recipients open and click. */
export function CampaignAnalyticsPanel({ campaignId, live }: { campaignId: string; live: boolean }) {
  const api = useApi();
  const path = { params: { path: { campaign_id: campaignId } } };
  const load = async (): Promise<CampaignCharts> => {
    const [analytics, timeline, links] = await Promise.all([
      unwrap(api.GET("/campaigns/{campaign_id}/analytics/", path)),
      unwrap(api.GET("/campaigns/{campaign_id}/analytics/timeline/", path)),
      unwrap(api.GET("/campaigns/{campaign_id}/analytics/links/", path)),
    ]);
    return { analytics, timeline, links: links.links };
  };
  const charts = useLoad(load, [api, campaignId]);
  usePoll(
    async () => {
      const latest = await load();
      if (JSON.stringify(latest) !== JSON.stringify(charts.data)) charts.setData(latest);
    },
    5000,
    live && Boolean(charts.data),
  );

  if (!charts.data) return charts.error ? <ErrorAlert error={charts.error} /> : <Loading what="Loading the results" />;
  const { analytics, timeline, links } = charts.data;
  return (
    <>
      <Card title="Results">
        <Stats analytics={analytics} />
      </Card>
      <div className="grid-2">
        <Card title="Funnel">
          <Bars label="Funnel: sent, delivered, opened, clicked, converted" bars={funnelBars(analytics)} />
        </Card>
        <Card title="Clicks per link">
          {links.length === 0 ? (
            <p className="muted">No clicks yet.</p>
          ) : (
            <Bars wide label="Clicks per link" bars={links.map((link) => ({ label: link.url, value: link.clicks }))} />
          )}
        </Card>
      </div>
      <Card title="Opens and clicks over time">
        <MailingTimelineChart timeline={timeline} />
      </Card>
    </>
  );
}
