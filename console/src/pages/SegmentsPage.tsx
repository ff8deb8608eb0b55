import { Link } from "react-router";

import { unwrap } from "../api/client";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { LoadMore } from "../components/LoadMore";
import { Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { formatCount, formatDateTime, humanize } from "../format";
import { usePaged } from "../hooks";
import { describeCriteria } from "../segments/criteria";

export function SegmentsPage() {
  const api = useApi();
  const canWrite = useCanWrite();
  const segments = usePaged((next) => unwrap(api.GET("/segments/", { params: { query: { limit: 50, next } } })), [api]);
  return (
    <Page
      title="Segments"
      actions={
        canWrite && (
          <Link className="button" to="/segments/new">
            New segment
          </Link>
        )
      }
    >
      <ErrorAlert error={segments.error} />
      {segments.loading ? (
        <Loading what="Loading segments" />
      ) : segments.items.length === 0 ? (
        <p>No segments yet.</p>
      ) : (
        <DataTable columns={["Name", "Type", "Who", { label: "Members", numeric: true }, "Refreshed", "Refresh"]} card>
          {segments.items.map((segment) => (
            <tr key={segment.id}>
              <td>
                <Link to={`/segments/${segment.id}`}>{segment.name}</Link>
              </td>
              <td>{humanize(segment.type)}</td>
              <td className="small">{segment.type === "dynamic" ? describeCriteria(segment.criteria) : "a list of contacts"}</td>
              <td className="num">{formatCount(segment.contact_count)}</td>
              <td>{formatDateTime(segment.refreshed_at)}</td>
              <td>
                <StatusBadge status={segment.refresh_status} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={segments.hasMore} loading={segments.loadingMore} onClick={segments.loadMore} />
    </Page>
  );
}
