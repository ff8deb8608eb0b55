import { Link } from "react-router";

import { unwrap } from "../api/client";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { LoadMore } from "../components/LoadMore";
import { Page } from "../components/Page";
import { formatDateTime, humanize } from "../format";
import { usePaged } from "../hooks";

export function TemplatesPage() {
  const api = useApi();
  const canWrite = useCanWrite();
  const templates = usePaged((next) => unwrap(api.GET("/templates/", { params: { query: { limit: 50, next } } })), [api]);

  return (
    <Page
      title="Templates"
      actions={
        canWrite && (
          <Link className="button" to="/templates/new">
            New template
          </Link>
        )
      }
    >
      <ErrorAlert error={templates.error} />
      {templates.loading ? (
        <Loading what="Loading templates" />
      ) : templates.items.length === 0 ? (
        <p>No templates yet.{canWrite && " Create one to start a campaign."}</p>
      ) : (
        <DataTable columns={["Name", "Category", "Subject", "Updated"]} card>
          {templates.items.map((template) => (
            <tr key={template.id}>
              <td>
                <Link to={`/templates/${template.id}`}>{template.name}</Link>
              </td>
              <td>{humanize(template.category)}</td>
              <td>{template.subject}</td>
              <td>{formatDateTime(template.updated_at)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={templates.hasMore} loading={templates.loadingMore} onClick={templates.loadMore} />
    </Page>
  );
}
