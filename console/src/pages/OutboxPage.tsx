import { useState } from "react";

import { fetchOutbox, recipientsOf, type OutboxItem } from "../api/outbox";
import { useAuth } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { EmailFrame } from "../components/EmailFrame";
import { Card, Page } from "../components/Page";
import { Tabs } from "../components/Tabs";
import { formatDateTime } from "../format";
import { useLoad, usePoll } from "../hooks";

function EmailView({ item }: { item: OutboxItem }) {
  const [tab, setTab] = useState("email");
  const tabs = [
    { id: "email", label: "Email" },
    { id: "text", label: "Text" },
    { id: "headers", label: "Headers" },
    { id: "raw", label: "Raw" },
  ];
  return (
    <Card title={item.subject ?? "(no subject)"}>
      <p className="small" style={{ marginTop: 0 }}>
        From {item.from ?? item.source} to {recipientsOf(item)}
        {item.date ? `, ${formatDateTime(item.date)}` : ""}
      </p>
      <Tabs label="Email parts" tabs={tabs} selected={tab} onSelect={setTab}>
        {tab === "email" &&
          (item.html ? (
            <>
              <p className="small muted">As the recipient sees it. Loading it counts an open; a link opens in a new tab through the click tracking.</p>
              <EmailFrame title={`Email: ${item.subject ?? ""}`} html={item.html} openLinks />
            </>
          ) : (
            <p className="muted">This email has no HTML part{item.html === undefined ? " the outbox can show; see Raw" : ""}.</p>
          ))}
        {tab === "text" && <pre className="card">{item.text ?? "(no text part)"}</pre>}
        {tab === "headers" &&
          (item.headers?.length ? (
            <DataTable columns={["Header", "Value"]} tableClassName="headers-table">
              {item.headers.map(([name, value], index) => (
                <tr key={`${name}-${index}`}>
                  <td>{name}</td>
                  <td className="mono small" style={{ wordBreak: "break-all" }}>
                    {value}
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : (
            <p className="muted">No headers listed; see Raw.</p>
          ))}
        {tab === "raw" && <pre className="card small">{item.raw ?? "(not kept)"}</pre>}
      </Tabs>
    </Card>
  );
}

export function OutboxPage() {
  const { config } = useAuth();
  const url = config.outboxUrl ?? "";
  const outbox = useLoad(() => fetchOutbox(url), [url]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  usePoll(async () => outbox.setData(await fetchOutbox(url)), 5000, true);
  const items = outbox.data ?? [];
  const selected = items.find((item) => item.id === selectedId) ?? items[0];

  return (
    <Page
      title="Outbox"
      actions={
        <button type="button" className="secondary" onClick={outbox.reload}>
          Refresh
        </button>
      }
    >
      <p className="muted" style={{ marginTop: 0 }}>
        Every email the local SES accepted, newest first ({items.length}).
      </p>
      <ErrorAlert error={outbox.error} />
      {outbox.loading && !outbox.data ? (
        <Loading what="Loading the outbox" />
      ) : items.length === 0 ? (
        <p>No emails yet. Send a campaign or a test.</p>
      ) : (
        <div className="outbox">
          <nav aria-label="Emails">
            <ul className="outbox-list">
              {items.map((item) => (
                <li key={item.id}>
                  <button type="button" aria-current={item.id === selected?.id ? "true" : undefined} onClick={() => setSelectedId(item.id)}>
                    <span className="subject">{item.subject ?? "(no subject)"}</span>
                    <span className="small muted">
                      to {recipientsOf(item)}
                      {item.date ? ` · ${formatDateTime(item.date)}` : ""}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {selected && <EmailView key={selected.id} item={selected} />}
        </div>
      )}
    </Page>
  );
}
