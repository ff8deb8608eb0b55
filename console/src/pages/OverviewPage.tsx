import { useMemo, useState } from "react";
import { Link } from "react-router";

import { unwrap } from "../api/client";
import type { AudienceDay, Campaign } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { Card, Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { TimeSeriesChart } from "../components/TimeSeriesChart";
import { formatCount, formatDateTime, formatDay, formatMoney, formatPercent } from "../format";
import { useLoad } from "../hooks";
import { lostOn, summarizeAudience } from "../overview/audience";

const PERIODS = [7, 30, 90] as const;

function PeriodPicker({ days, onChange }: { days: number; onChange(days: number): void }) {
  return (
    <fieldset className="row" style={{ margin: 0, padding: "0.35rem 0.75rem" }}>
      <legend className="small">Period</legend>
      {PERIODS.map((period) => (
        <label className="inline-choice" key={period}>
          <input type="radio" name="period" value={period} checked={days === period} onChange={() => onChange(period)} />
          Last {period} days
        </label>
      ))}
    </fieldset>
  );
}

function GuardAlerts({ campaigns }: { campaigns: Campaign[] }) {
  // Paused by the reputation guard (a staff pause says "paused by staff"): the marketer must decide.
  const paused = campaigns.filter((c) => c.status === "paused" && c.paused_reason && c.paused_reason !== "paused by staff");
  if (paused.length === 0) return null;
  return (
    <div className="alert warning" role="alert">
      <strong>
        {paused.length === 1 ? "A campaign was" : `${paused.length} campaigns were`} paused by the reputation guard:
      </strong>
      <ul>
        {paused.map((campaign) => (
          <li key={campaign.id}>
            <Link to={`/campaigns/${campaign.id}`}>{campaign.name}</Link>: {campaign.paused_reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Figures({ days }: { days: AudienceDay[] }) {
  const summary = summarizeAudience(days);
  const figures: [string, string, string][] = [
    ["Subscribers, net", `${summary.netGrowth >= 0 ? "+" : ""}${formatCount(summary.netGrowth)}`, `${formatCount(summary.subscribed)} joined, ${formatCount(summary.lost)} left`],
    ["Emails sent", formatCount(summary.sent), `${formatCount(summary.delivered)} delivered`],
    ["Open rate", formatPercent(summary.openRate), `${formatCount(summary.opened)} opened`],
    ["Click rate", formatPercent(summary.clickRate), `${formatCount(summary.clicked)} clicked`],
    ["Conversion rate", formatPercent(summary.conversionRate), `${formatCount(summary.conversions)} orders`],
    ["Attributed revenue", formatMoney(summary.revenue), "from email clicks"],
  ];
  return (
    <dl className="stats">
      {figures.map(([label, value, sub]) => (
        <div className="stat" key={label}>
          <dt>{label}</dt>
          <dd>
            {value}
            <span className="sub">{sub}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Charts({ days }: { days: AudienceDay[] }) {
  const times = useMemo(() => days.map((day) => `${day.date}T00:00:00Z`), [days]);
  const growth = useMemo(
    () => [
      { label: "Joined", values: days.map((d) => d.subscribed ?? 0), color: "#15803d" },
      { label: "Left", values: days.map(lostOn), color: "#b42318" },
      { label: "Net", values: days.map((d) => (d.subscribed ?? 0) - lostOn(d)), color: "#1d4ed8" },
    ],
    [days],
  );
  const engagement = useMemo(
    () => [
      { label: "Sent", values: days.map((d) => d.sent ?? 0), color: "#555e69" },
      { label: "Opened", values: days.map((d) => d.opened ?? 0), color: "#1d4ed8" },
      { label: "Clicked", values: days.map((d) => d.clicked ?? 0), color: "#7c3aed" },
    ],
    [days],
  );
  return (
    <div className="grid-2">
      <Card title="Subscribers per day">
        <TimeSeriesChart title="Subscribers per day" times={times} granularity="day" series={growth} formatTime={formatDay} />
      </Card>
      <Card title="Emails per day">
        <TimeSeriesChart title="Emails per day" times={times} granularity="day" series={engagement} formatTime={formatDay} />
      </Card>
    </div>
  );
}

export function OverviewPage() {
  const api = useApi();
  const [days, setDays] = useState<number>(30);
  const audience = useLoad(() => unwrap(api.GET("/analytics/audience/", { params: { query: { days } } })), [api, days]);
  const recent = useLoad(() => unwrap(api.GET("/analytics/campaigns/", { params: { query: { limit: 5 } } })), [api]);
  const campaigns = useLoad(() => unwrap(api.GET("/campaigns/", { params: { query: { limit: 100 } } })), [api]);

  return (
    <Page title="Overview" actions={<PeriodPicker days={days} onChange={setDays} />}>
      {campaigns.data && <GuardAlerts campaigns={campaigns.data.items} />}
      <ErrorAlert error={audience.error ?? recent.error ?? campaigns.error} />
      {audience.data ? (
        <>
          <Figures days={audience.data.days} />
          <Charts days={audience.data.days} />
        </>
      ) : (
        !audience.error && <Loading what="Loading the figures" />
      )}
      <Card title="Recent campaigns" actions={<Link to="/campaigns">All campaigns</Link>}>
        {!recent.data ? (
          !recent.error && <Loading what="Loading campaigns" />
        ) : recent.data.items.length === 0 ? (
          <p className="muted">No campaigns sent yet.</p>
        ) : (
          <DataTable columns={["Campaign", "Status", "Sent", { label: "Emails", numeric: true }, { label: "Open rate", numeric: true }, { label: "Click rate", numeric: true }, { label: "Revenue", numeric: true }]}>
            {recent.data.items.map((report) => (
              <tr key={report.campaign_id}>
                <td>
                  <Link to={`/campaigns/${report.campaign_id}`}>{report.name}</Link>
                </td>
                <td>
                  <StatusBadge status={report.status} />
                </td>
                <td>{formatDateTime(report.sent_at)}</td>
                <td className="num">{formatCount(report.analytics.sent)}</td>
                <td className="num">{formatPercent(report.analytics.open_rate)}</td>
                <td className="num">{formatPercent(report.analytics.click_rate)}</td>
                <td className="num">{formatMoney(report.analytics.revenue, report.analytics.currency)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </Page>
  );
}
