import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { unwrap } from "../api/client";
import { EXECUTION_STATUSES, type AutomationAnalytics, type ExecutionStatus } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { Bars } from "../components/Bars";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DataTable } from "../components/DataTable";
import { LoadMore } from "../components/LoadMore";
import { Card, Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { Tabs } from "../components/Tabs";
import { describeDelay } from "../automations/series";
import { formatCount, formatDateTime, formatMoney, formatPercent, humanize, ratio } from "../format";
import { MailingTimelineChart } from "../campaigns/CampaignAnalyticsPanel";
import { useAction, useLoad, usePaged } from "../hooks";

function Executions({ automationId }: { automationId: string }) {
  const api = useApi();
  const [status, setStatus] = useState<ExecutionStatus>("in_progress");
  const executions = usePaged(
    (next) => unwrap(api.GET("/automations/{automation_id}/executions/", { params: { path: { automation_id: automationId }, query: { status, limit: 50, next } } })),
    [api, automationId, status],
  );
  return (
    <Tabs label="Executions by status" tabs={EXECUTION_STATUSES.map((s) => ({ id: s, label: humanize(s) }))} selected={status} onSelect={(s) => setStatus(s as ExecutionStatus)}>
      <ErrorAlert error={executions.error} />
      {executions.loading ? (
        <Loading what="Loading executions" />
      ) : executions.items.length === 0 ? (
        <p className="muted">None {humanize(status).toLowerCase()}.</p>
      ) : (
        <DataTable columns={["Contact", "Started", { label: "Emails handled", numeric: true }, "Next email", "Note"]}>
          {executions.items.map((execution) => (
            <tr key={`${execution.contact_id}-${execution.entry}`}>
              <td>
                <Link to={`/contacts/${execution.contact_id}`}>{execution.contact_id}</Link>
              </td>
              <td>{formatDateTime(execution.started_at)}</td>
              <td className="num">{execution.current_email_order}</td>
              <td>{formatDateTime(execution.next_email_at)}</td>
              <td className="small">{execution.stopped_reason ?? (execution.held ? "held while paused" : "")}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={executions.hasMore} loading={executions.loadingMore} onClick={executions.loadMore} />
    </Tabs>
  );
}

function PerEmailFunnel({ analytics }: { analytics: AutomationAnalytics }) {
  if (analytics.emails.length === 0) return <p className="muted">No emails sent yet.</p>;
  return (
    <div className="grid-2">
      {analytics.emails.map((email) => (
        <section key={email.order} aria-labelledby={`email-${email.order}`}>
          <h3 id={`email-${email.order}`}>
            Email {email.order} · {formatMoney(email.revenue, email.currency)}
          </h3>
          <Bars
            label={`Email ${email.order} funnel`}
            bars={[
              { label: "Sent", value: email.sent ?? 0 },
              { label: "Delivered", value: email.delivered ?? 0, note: formatPercent(ratio(email.delivered ?? 0, email.sent ?? 0)) },
              { label: "Opened", value: email.opened ?? 0, note: formatPercent(email.open_rate) },
              { label: "Clicked", value: email.clicked ?? 0, note: formatPercent(email.click_rate) },
              { label: "Converted", value: email.conversions ?? 0, note: formatPercent(email.conversion_rate) },
            ]}
          />
        </section>
      ))}
    </div>
  );
}

export function AutomationPage() {
  const { automationId = "" } = useParams();
  const api = useApi();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const path = { params: { path: { automation_id: automationId } } };
  const loaded = useLoad(() => unwrap(api.GET("/automations/{automation_id}/", path)), [api, automationId]);
  const analytics = useLoad(() => unwrap(api.GET("/automations/{automation_id}/analytics/", path)), [api, automationId]);
  const timeline = useLoad(() => unwrap(api.GET("/automations/{automation_id}/analytics/timeline/", path)), [api, automationId]);
  const templates = useLoad(() => unwrap(api.GET("/templates/", { params: { query: { limit: 100 } } })), [api]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const act = useAction(async (action: "activate" | "pause" | "delete") => {
    if (action === "activate") loaded.setData(await unwrap(api.POST("/automations/{automation_id}/activate/", path)));
    if (action === "pause") loaded.setData(await unwrap(api.POST("/automations/{automation_id}/pause/", path)));
    if (action === "delete") {
      await unwrap(api.DELETE("/automations/{automation_id}/", path));
      navigate("/automations");
    }
  });
  const automation = loaded.data;
  if (!automation) return loaded.error ? <ErrorAlert error={loaded.error} /> : <Loading what="Loading the automation" />;
  const templateName = (id: string) => templates.data?.items.find((t) => t.id === id)?.name ?? id;
  const stats = analytics.data;

  return (
    <Page
      title={`Automation: ${automation.name}`}
      parent={{ to: "/automations", label: "Automations" }}
      actions={
        <>
          <StatusBadge status={automation.status} />
          {canWrite && (
            <>
              {automation.status === "paused" ? (
                <button type="button" onClick={() => void act.run("activate")} disabled={act.pending}>
                  Activate
                </button>
              ) : (
                <button type="button" className="secondary" onClick={() => void act.run("pause")} disabled={act.pending}>
                  Pause
                </button>
              )}
              <Link className="button secondary" to={`/automations/${automation.id}/edit`}>
                Edit
              </Link>
              <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
                Delete automation
              </button>
            </>
          )}
        </>
      }
    >
      <ErrorAlert error={act.error ?? analytics.error} />
      <Card title="Series">
        <p style={{ marginTop: 0 }}>
          Starts when: <strong>{humanize(automation.trigger)}</strong>
          {automation.allow_reentry ? " · a contact may go through it again" : " · once per contact"}
        </p>
        <ol>
          {[...automation.emails]
            .sort((a, b) => a.order - b.order)
            .map((email, index) => (
              <li key={email.order}>
                <strong>{templateName(email.template_id)}</strong>
                {email.subject ? ` — “${email.subject}”` : ""} <span className="muted">({describeDelay(email.delay_hours, index === 0)})</span>
              </li>
            ))}
        </ol>
      </Card>
      {stats && (
        <Card title="Results">
          <dl className="stats">
            {(
              [
                ["Entered", formatCount(stats.entered)],
                ["In progress", formatCount(stats.in_progress)],
                ["Completed", formatCount(stats.completed)],
                ["Stopped", formatCount(stats.stopped)],
                ["Conversions", formatCount(stats.conversions)],
                ["Revenue", formatMoney(stats.revenue)],
              ] as const
            ).map(([label, value]) => (
              <div className="stat" key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <h3 style={{ marginTop: "1rem" }}>Per email</h3>
          <PerEmailFunnel analytics={stats} />
        </Card>
      )}
      {timeline.data?.emails
        .filter((email) => email.buckets.some((bucket) => bucket.sent > 0))
        .map((email) => (
          <Card key={email.order} title={`Email ${email.order}, last 30 days`}>
            <MailingTimelineChart timeline={email} title={`Email ${email.order}: opens and clicks`} />
          </Card>
        ))}
      <Card title="Executions">
        <Executions automationId={automation.id} />
      </Card>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this automation?"
        confirmLabel="Delete automation"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          void act.run("delete");
        }}
      >
        <p>Contacts in the middle of the series get no more of its emails.</p>
      </ConfirmDialog>
    </Page>
  );
}
