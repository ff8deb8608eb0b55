/** The contact's consent log, newest first: what the shop shows a regulator who asks how this
 * person agreed to marketing email, or stopped it. Both staff roles may read it. */

import { unwrap } from "../api/client";
import type { ConsentEntry } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { LoadMore } from "../components/LoadMore";
import { Card } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime } from "../format";
import { usePaged } from "../hooks";
import { describeActor, describeChoices, describeConsent } from "./consents";

/** The evidence an entry carries; what the request did not send is left out. */
function Proof({ entry }: { entry: ConsentEntry }) {
  const rows: [string, string | null | undefined][] = [
    ["By", describeActor(entry.actor)],
    ["IP address", entry.ip_address],
    ["Browser", entry.user_agent],
    ["Wording version", entry.wording_version],
  ];
  return (
    <dl className="proof">
      {rows
        .filter(([, value]) => value)
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt> <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

function ConsentRow({ entry }: { entry: ConsentEntry }) {
  const choices = describeChoices(entry);
  return (
    <tr>
      <td>
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </td>
      <td>
        {describeConsent(entry)}
        {choices && <div className="small muted">{choices}</div>}
      </td>
      <td>{entry.status ? <StatusBadge status={entry.status} /> : <span className="muted">Not subscribed yet</span>}</td>
      <td className="small evidence">{entry.source ?? "—"}</td>
      <td className="evidence">
        <Proof entry={entry} />
      </td>
    </tr>
  );
}

/** `changes` counts the page's own changes to the subscription, so their entries show at once. */
export function ConsentHistoryCard({ contactId, changes }: { contactId: string; changes: number }) {
  const api = useApi();
  const log = usePaged(
    (next) => unwrap(api.GET("/contacts/{contact_id}/consents/", { params: { path: { contact_id: contactId }, query: { limit: 25, next } } })),
    [api, contactId, changes],
  );
  return (
    <Card title="Consent history">
      <ErrorAlert error={log.error} />
      {log.loading ? (
        <Loading what="Loading the consent history" />
      ) : log.items.length === 0 ? (
        !log.error && <p className="muted">No consent recorded yet: an entry is added whenever this contact signs up, subscribes, confirms, unsubscribes or changes their preferences.</p>
      ) : (
        <DataTable columns={["When", "What happened", "Subscription after", "Source", "Proof"]}>
          {log.items.map((entry, index) => (
            // Rows keep no state of their own, so their place is key enough.
            <ConsentRow entry={entry} key={index} />
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={log.hasMore} loading={log.loadingMore} onClick={() => void log.loadMore()} />
    </Card>
  );
}
