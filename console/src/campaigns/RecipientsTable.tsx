import { useState } from "react";
import { Link } from "react-router";

import { unwrap } from "../api/client";
import { RECIPIENT_STATUSES, type RecipientStatus } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { SelectField } from "../components/Field";
import { LoadMore } from "../components/LoadMore";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatMoney, humanize } from "../format";
import { usePaged } from "../hooks";

export function RecipientsTable({ campaignId, version }: { campaignId: string; version: unknown }) {
  const api = useApi();
  const [status, setStatus] = useState<RecipientStatus | "">("");
  const recipients = usePaged(
    (next) =>
      unwrap(
        api.GET("/campaigns/{campaign_id}/recipients/", {
          params: { path: { campaign_id: campaignId }, query: { limit: 50, next, status: status || undefined } },
        }),
      ),
    [api, campaignId, status, version],
  );
  return (
    <>
      <div style={{ maxWidth: "16rem" }}>
        <SelectField
          label="Recipient status"
          value={status}
          onChange={(event) => setStatus(event.target.value as RecipientStatus | "")}
          options={[{ value: "", label: "All" }, ...RECIPIENT_STATUSES.map((s) => ({ value: s, label: humanize(s) }))]}
        />
      </div>
      <ErrorAlert error={recipients.error} />
      {recipients.loading && recipients.items.length === 0 ? (
        <Loading what="Loading recipients" />
      ) : recipients.items.length === 0 ? (
        <p className="muted">No recipients{status ? ` with status ${humanize(status).toLowerCase()}` : " yet"}.</p>
      ) : (
        <DataTable columns={["Email", "Status", "Sent", "Opened", { label: "Clicks", numeric: true }, { label: "Revenue", numeric: true }, "Note"]}>
          {recipients.items.map((recipient) => (
            <tr key={recipient.contact_id}>
              <td>
                <Link to={`/contacts/${recipient.contact_id}`}>{recipient.email}</Link>
              </td>
              <td>
                <StatusBadge status={recipient.status} />
              </td>
              <td>{formatDateTime(recipient.sent_at)}</td>
              <td>{recipient.opened_at ? `${formatDateTime(recipient.opened_at)} (${recipient.open_count})` : "—"}</td>
              <td className="num">{recipient.click_count ?? 0}</td>
              <td className="num">{recipient.revenue ? formatMoney(recipient.revenue) : "—"}</td>
              <td className="small">{recipient.failure_reason ?? (recipient.suppressed_reason ? humanize(recipient.suppressed_reason) : "")}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={recipients.hasMore} loading={recipients.loadingMore} onClick={recipients.loadMore} />
    </>
  );
}
