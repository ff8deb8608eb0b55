import { useParams } from "react-router";

import { unwrap } from "../api/client";
import type { Campaign } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { Card, Page } from "../components/Page";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { CampaignActions, hasActions } from "../campaigns/CampaignActions";
import { CampaignAnalyticsPanel } from "../campaigns/CampaignAnalyticsPanel";
import { bodyOf, CampaignForm, draftOf } from "../campaigns/CampaignForm";
import { sendProgress } from "../campaigns/progress";
import { RecipientsTable } from "../campaigns/RecipientsTable";
import { formatCount, formatDateTime, formatUsd } from "../format";
import { useLoad, usePoll } from "../hooks";

function CostCard({ campaign }: { campaign: Campaign }) {
  const cost = campaign.cost;
  if (!cost) return null;
  return (
    <Card title="Cost">
      <dl className="stats">
        <div className="stat">
          <dt>Estimated cost</dt>
          <dd>
            {formatUsd(cost.estimated_usd)}
            <span className="sub">
              {formatCount(cost.recipients)} recipients × {formatUsd(cost.per_recipient_usd)}
            </span>
          </dd>
        </div>
        {cost.actual && (
          <div className="stat">
            <dt>Cost so far</dt>
            <dd>
              {formatUsd(cost.actual.total_usd)}
              <span className="sub">
                {formatCount(cost.actual.emails_sent)} emails: SES {formatUsd(cost.actual.ses_usd)}, platform {formatUsd(cost.actual.platform_usd)}
              </span>
            </dd>
          </div>
        )}
      </dl>
    </Card>
  );
}

function Details({ campaign }: { campaign: Campaign }) {
  const rows: [string, string][] = [
    ["Subject", campaign.subject ?? "(the template's)"],
    ["From", `${campaign.from_name}${campaign.from_email ? ` <${campaign.from_email}>` : ""}`],
    ["Scheduled for", formatDateTime(campaign.scheduled_at)],
    ["Started", formatDateTime(campaign.send_started_at)],
    ["Finished", formatDateTime(campaign.sent_at)],
  ];
  return (
    <dl className="stats">
      {rows.map(([label, value]) => (
        <div className="stat" key={label}>
          <dt>{label}</dt>
          <dd style={{ fontSize: "0.95rem", fontWeight: 500 }}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function CampaignPage() {
  const { campaignId = "" } = useParams();
  const api = useApi();
  const canWrite = useCanWrite();
  const path = { params: { path: { campaign_id: campaignId } } };
  const loaded = useLoad(() => unwrap(api.GET("/campaigns/{campaign_id}/", path)), [api, campaignId]);
  const campaign = loaded.data;
  // Every second while sending, so the progress bar moves; a scheduled one is watched for its start.
  const interval = campaign?.status === "sending" ? 1000 : 5000;
  usePoll(
    async () => loaded.setData(await unwrap(api.GET("/campaigns/{campaign_id}/", path))),
    interval,
    campaign?.status === "sending" || campaign?.status === "scheduled",
  );

  if (!campaign) return loaded.error ? <ErrorAlert error={loaded.error} /> : <Loading what="Loading the campaign" />;
  const progress = sendProgress(campaign);
  const started = campaign.status !== "draft" && campaign.status !== "scheduled";

  return (
    <Page title={`Campaign: ${campaign.name}`} parent={{ to: "/campaigns", label: "Campaigns" }} actions={<StatusBadge status={campaign.status} />}>
      {campaign.status === "paused" && campaign.paused_reason && (
        <div className="alert warning" role="alert">
          <strong>Paused{campaign.paused_reason === "paused by staff" ? "" : " by the reputation guard"}:</strong> {campaign.paused_reason}.
          {canWrite && " Resume sends on and the guard will not pause it again; Cancel campaign stops it."}
        </div>
      )}
      {campaign.send_error && (
        <div className="alert error" role="alert">
          <strong>The send was refused:</strong> {campaign.send_error}
        </div>
      )}
      <Card title="Campaign">
        <Details campaign={campaign} />
      </Card>
      <CostCard campaign={campaign} />
      {canWrite && hasActions(campaign) && (
        <Card title="Actions">
          <CampaignActions campaign={campaign} onChange={loaded.setData} />
        </Card>
      )}
      {started && (
        <Card title="Sending">
          <ProgressBar label="Send progress" value={progress.percent} text={progress.text} />
        </Card>
      )}
      {canWrite && campaign.status === "draft" && (
        <details className="card">
          <summary>Edit the draft</summary>
          {/* Keyed by the campaign, not its version: a save must not remount the form and drop
              what was typed while it saved. */}
          <CampaignForm
            key={campaign.id}
            initial={draftOf(campaign)}
            submitLabel="Save"
            onSubmit={async (draft) => loaded.setData(await unwrap(api.PATCH("/campaigns/{campaign_id}/", { ...path, body: bodyOf(draft) })))}
          />
        </details>
      )}
      {started && <CampaignAnalyticsPanel campaignId={campaign.id} live={campaign.status === "sending" || campaign.status === "sent" || campaign.status === "paused"} />}
      {started && (
        <Card title="Recipients">
          <RecipientsTable campaignId={campaign.id} version={campaign.status === "sending" ? undefined : campaign.status} />
        </Card>
      )}
    </Page>
  );
}
