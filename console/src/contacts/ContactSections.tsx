/** The parts of a contact's page, each a card of what the API knows about the contact. */

import { useState } from "react";
import { Link } from "react-router";

import { unwrap } from "../api/client";
import type { ContactExport, Subscriber } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Notice } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { Card } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { formatCount, formatDateTime, formatDay, formatMoney, humanize } from "../format";
import { useAction } from "../hooks";

const PREFERENCES = ["promotional", "newsletter", "transactional"] as const;

type DoNotEmail = ContactExport["do_not_email"];

function DoNotEmailNote({ entry }: { entry: DoNotEmail }) {
  if (!entry) return null;
  return (
    <p className="alert warning">
      On the do-not-email list since {formatDay(entry.since)} ({humanize(entry.reason)}): no marketing email reaches this address.
    </p>
  );
}

export function SubscriptionCard({
  subscriber,
  doNotEmail,
  onChange,
}: {
  subscriber: Subscriber | null | undefined;
  doNotEmail?: DoNotEmail;
  onChange(subscriber: Subscriber): void;
}) {
  const api = useApi();
  const canWrite = useCanWrite();
  const [saved, setSaved] = useState(false);
  const update = useAction(async (preference: (typeof PREFERENCES)[number], value: boolean) => {
    if (!subscriber) return;
    setSaved(false);
    const preferences = await unwrap(
      api.PATCH("/subscribers/{subscriber_id}/preferences/", { params: { path: { subscriber_id: subscriber.id } }, body: { [preference]: value } }),
    );
    onChange({ ...subscriber, preferences });
    setSaved(true);
  });
  const unsubscribe = useAction(async () => {
    if (!subscriber) return;
    onChange(await unwrap(api.DELETE("/subscribers/{subscriber_id}/", { params: { path: { subscriber_id: subscriber.id } } })));
  });
  if (!subscriber) {
    return (
      <Card title="Subscription">
        <DoNotEmailNote entry={doNotEmail} />
        <p className="muted">Never subscribed: marketing emails are not sent to this contact.</p>
      </Card>
    );
  }
  return (
    <Card
      title="Subscription"
      actions={
        canWrite &&
        subscriber.status === "subscribed" && (
          <button type="button" className="secondary" onClick={() => void unsubscribe.run()} disabled={unsubscribe.pending}>
            Unsubscribe
          </button>
        )
      }
    >
      <ErrorAlert error={update.error ?? unsubscribe.error} />
      {saved && <Notice kind="success">Preferences saved.</Notice>}
      <DoNotEmailNote entry={doNotEmail} />
      <p>
        <StatusBadge status={subscriber.status} /> since {formatDateTime(subscriber.subscribed_at ?? subscriber.created_at)} · source {humanize(subscriber.source)}
        {subscriber.unsubscribed_at && ` · unsubscribed ${formatDateTime(subscriber.unsubscribed_at)}`}
      </p>
      <fieldset>
        <legend>Email preferences</legend>
        {PREFERENCES.map((preference) => (
          <label className="inline-choice" key={preference}>
            <input
              type="checkbox"
              checked={subscriber.preferences[preference] ?? true}
              disabled={!canWrite || update.pending}
              onChange={(event) => void update.run(preference, event.target.checked)}
            />
            {humanize(preference)}
          </label>
        ))}
      </fieldset>
    </Card>
  );
}

export function OrdersCard({ data }: { data: ContactExport }) {
  const orders = data.orders ?? [];
  return (
    <Card title="Orders">
      {orders.length === 0 ? (
        <p className="muted">No orders.</p>
      ) : (
        <DataTable columns={["Order", "Paid", { label: "Total", numeric: true }, { label: "Refunded", numeric: true }]}>
          {orders.map((order) => (
            <tr key={order.order_id}>
              <td className="mono">{order.order_id}</td>
              <td>{formatDateTime(order.paid_at)}</td>
              <td className="num">{formatMoney(order.total, order.currency)}</td>
              <td className="num">{order.refunded && order.refunded !== "0.00" ? formatMoney(order.refunded, order.currency) : "—"}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}

export function EmailsCard({ data }: { data: ContactExport }) {
  const emails = data.campaign_emails ?? [];
  return (
    <Card title="Emails received">
      {emails.length === 0 ? (
        <p className="muted">No emails yet.</p>
      ) : (
        <DataTable columns={["Mailing", "Status", "Sent", { label: "Opens", numeric: true }, { label: "Clicks", numeric: true }, { label: "Revenue", numeric: true }]}>
          {emails.map((email) => (
            <tr key={`${email.campaign_id}-${email.sent_at ?? ""}`}>
              <td>
                {email.campaign_id.startsWith("cmp") ? (
                  <Link to={`/campaigns/${email.campaign_id}`}>{email.campaign_id}</Link>
                ) : email.campaign_id.startsWith("aut") ? (
                  <Link to={`/automations/${email.campaign_id.split("#")[0]}`}>{email.campaign_id}</Link>
                ) : (
                  <span className="mono">{email.campaign_id}</span>
                )}
              </td>
              <td>
                <StatusBadge status={email.status} />
              </td>
              <td>{formatDateTime(email.sent_at)}</td>
              <td className="num">{formatCount(email.open_count)}</td>
              <td className="num">{formatCount(email.click_count)}</td>
              <td className="num">{email.revenue ? formatMoney(email.revenue) : "—"}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}

export function AutomationRunsCard({ data }: { data: ContactExport }) {
  const runs = data.automation_executions ?? [];
  return (
    <Card title="Automation runs">
      {runs.length === 0 ? (
        <p className="muted">No automation runs.</p>
      ) : (
        <DataTable columns={["Automation", "Status", "Started", { label: "Emails handled", numeric: true }, "Note"]}>
          {runs.map((run) => (
            <tr key={`${run.automation_id}-${run.entry}`}>
              <td>
                <Link to={`/automations/${run.automation_id}`}>{run.automation_id}</Link>
              </td>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>{formatDateTime(run.started_at)}</td>
              <td className="num">{run.current_email_order}</td>
              <td className="small">{run.stopped_reason ?? (run.next_email_at ? `next email ${formatDateTime(run.next_email_at)}` : "")}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}

export function PointsAndReferralsCard({ data }: { data: ContactExport }) {
  const account = data.loyalty_account;
  const transactions = data.loyalty_transactions ?? [];
  const referrals = data.referrals ?? [];
  return (
    <Card title="Points and referrals">
      {account ? (
        <p>
          <strong>{formatCount(account.balance)} points</strong> available · {formatCount(account.lifetime_points)} earned in all ·{" "}
          <Link to={`/growth?user=${encodeURIComponent(account.user_id)}`}>Adjust points</Link>
        </p>
      ) : (
        <p className="muted">No loyalty account{data.contact.user_id ? "" : " (the contact has no shop user id)"}.</p>
      )}
      {transactions.length > 0 && (
        <DataTable columns={["When", "Type", { label: "Points", numeric: true }, "Why"]} caption="Points history">
          {transactions.map((transaction) => (
            <tr key={transaction.id}>
              <td>{formatDateTime(transaction.created_at)}</td>
              <td>{humanize(transaction.type)}</td>
              <td className="num">{transaction.points > 0 ? `+${transaction.points}` : transaction.points}</td>
              <td className="small">{transaction.reason ?? transaction.order_id ?? ""}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <h3 style={{ marginTop: "1rem" }}>Referrals</h3>
      {referrals.length === 0 ? (
        <p className="muted">No referrals.</p>
      ) : (
        <ul>
          {referrals.map((referral) => (
            <li key={referral.id}>
              Code <code>{referral.code}</code>: {referral.referrer_user_id === data.contact.user_id ? "referred a friend" : "was referred"} ·{" "}
              <StatusBadge status={referral.status} /> · {formatDateTime(referral.created_at)}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
