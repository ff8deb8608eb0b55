import { Link } from "react-router";

import { unwrap } from "../api/client";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { LoadMore } from "../components/LoadMore";
import { Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime, humanize } from "../format";
import { usePaged } from "../hooks";

export function AutomationsPage() {
  const api = useApi();
  const canWrite = useCanWrite();
  const automations = usePaged((next) => unwrap(api.GET("/automations/", { params: { query: { limit: 50, next } } })), [api]);
  return (
    <Page
      title="Automations"
      actions={
        canWrite && (
          <Link className="button" to="/automations/new">
            New automation
          </Link>
        )
      }
    >
      <ErrorAlert error={automations.error} />
      {automations.loading ? (
        <Loading what="Loading automations" />
      ) : automations.items.length === 0 ? (
        <p>No automations yet. A welcome series or an abandoned-cart reminder is a good start.</p>
      ) : (
        <DataTable columns={["Name", "Trigger", "Status", { label: "Emails", numeric: true }, "Updated"]} card>
          {automations.items.map((automation) => (
            <tr key={automation.id}>
              <td>
                <Link to={`/automations/${automation.id}`}>{automation.name}</Link>
              </td>
              <td>{humanize(automation.trigger)}</td>
              <td>
                <StatusBadge status={automation.status} />
              </td>
              <td className="num">{automation.emails.length}</td>
              <td>{formatDateTime(automation.updated_at)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={automations.hasMore} loading={automations.loadingMore} onClick={automations.loadMore} />
    </Page>
  );
}
