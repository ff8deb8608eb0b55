import { useState } from "react";
import { Link } from "react-router";

import { unwrap } from "../api/client";
import { CAMPAIGN_STATUSES } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { LoadMore } from "../components/LoadMore";
import { Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { Tabs } from "../components/Tabs";
import { formatCount, formatDateTime, humanize } from "../format";
import { usePaged } from "../hooks";

export function CampaignsPage() {
  const api = useApi();
  const canWrite = useCanWrite();
  const [status, setStatus] = useState("all");
  // The API lists campaigns newest first without a status filter: the tabs filter what is loaded.
  const campaigns = usePaged((next) => unwrap(api.GET("/campaigns/", { params: { query: { limit: 100, next } } })), [api]);
  const count = (s: string) => campaigns.items.filter((c) => s === "all" || c.status === s).length;
  const shown = campaigns.items.filter((c) => status === "all" || c.status === status);
  const tabs = [{ id: "all", label: `All (${count("all")})` }, ...CAMPAIGN_STATUSES.map((s) => ({ id: s, label: `${humanize(s)} (${count(s)})` }))];

  return (
    <Page
      title="Campaigns"
      actions={
        canWrite && (
          <Link className="button" to="/campaigns/new">
            New campaign
          </Link>
        )
      }
    >
      <ErrorAlert error={campaigns.error} />
      {campaigns.loading ? (
        <Loading what="Loading campaigns" />
      ) : (
        <Tabs label="Campaigns by status" tabs={tabs} selected={status} onSelect={setStatus}>
          {shown.length === 0 ? (
            <p>No campaigns{status === "all" ? " yet" : ` with status ${humanize(status).toLowerCase()}`}.</p>
          ) : (
            <DataTable columns={["Name", "Status", { label: "Recipients", numeric: true }, { label: "Sent", numeric: true }, "When"]} card>
              {shown.map((campaign) => (
                <tr key={campaign.id}>
                  <td>
                    <Link to={`/campaigns/${campaign.id}`}>{campaign.name}</Link>
                    {campaign.status === "paused" && campaign.paused_reason && <div className="small muted">{campaign.paused_reason}</div>}
                  </td>
                  <td>
                    <StatusBadge status={campaign.status} />
                  </td>
                  <td className="num">{formatCount(campaign.progress.total)}</td>
                  <td className="num">{formatCount(campaign.progress.sent)}</td>
                  <td>{formatDateTime(campaign.sent_at ?? campaign.send_started_at ?? campaign.scheduled_at ?? campaign.updated_at)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Tabs>
      )}
      <LoadMore hasMore={campaigns.hasMore} loading={campaigns.loadingMore} onClick={campaigns.loadMore} />
    </Page>
  );
}
