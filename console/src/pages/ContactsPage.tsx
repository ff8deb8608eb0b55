import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { unwrap } from "../api/client";
import { LIFECYCLE_STAGES, type LifecycleStage } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { SelectField, TextField } from "../components/Field";
import { LoadMore } from "../components/LoadMore";
import { Page } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { formatCount, formatDateTime, formatMoney, humanize } from "../format";
import { usePaged } from "../hooks";

export function ContactsPage() {
  const api = useApi();
  const canWrite = useCanWrite();
  // The search lives in the address, so a search can be shared and Back returns to it.
  const [params, setParams] = useSearchParams();
  const email = params.get("email") ?? "";
  const stage = (params.get("stage") ?? "") as LifecycleStage | "";
  const tag = params.get("tag") ?? "";
  const [form, setForm] = useState({ email, stage, tag });
  const contacts = usePaged(
    (next) =>
      unwrap(
        api.GET("/contacts/", {
          params: { query: { limit: 50, next, email: email || undefined, stage: stage || undefined, tag: tag || undefined } },
        }),
      ),
    [api, email, stage, tag],
  );
  const search = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (form.email.trim()) next.set("email", form.email.trim());
    if (form.stage) next.set("stage", form.stage);
    if (form.tag.trim()) next.set("tag", form.tag.trim());
    setParams(next);
  };

  return (
    <Page
      title="Contacts"
      actions={
        canWrite && (
          <Link className="button" to="/contacts/import">
            Import CSV
          </Link>
        )
      }
    >
      <form role="search" aria-label="Contacts" className="card form-row" onSubmit={search}>
        <TextField label="Email" type="search" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} hint="The exact address" />
        <SelectField
          label="Stage"
          value={form.stage}
          onChange={(e) => setForm({ ...form, stage: e.target.value as LifecycleStage | "" })}
          options={[{ value: "", label: "Any stage" }, ...LIFECYCLE_STAGES.map((s) => ({ value: s, label: humanize(s) }))]}
        />
        <TextField label="Tag" value={form.tag} onChange={(e) => setForm({ ...form, tag: e.target.value })} />
        <div className="field-action">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorAlert error={contacts.error} />
      {contacts.loading ? (
        <Loading what="Searching" />
      ) : contacts.items.length === 0 ? (
        <p>No contacts match.</p>
      ) : (
        <DataTable columns={["Email", "Name", "Stage", "Subscription", "Tags", { label: "Orders", numeric: true }, { label: "Lifetime value", numeric: true }, "Added"]} card>
          {contacts.items.map((contact) => (
            <tr key={contact.id}>
              <td>
                <Link to={`/contacts/${contact.id}`}>{contact.email}</Link>
              </td>
              <td>{`${contact.first_name} ${contact.last_name}`.trim() || "—"}</td>
              <td>{humanize(contact.lifecycle_stage)}</td>
              <td>{contact.subscription_status ? <StatusBadge status={contact.subscription_status} /> : <span className="muted">never</span>}</td>
              <td className="small">{contact.tags.join(", ") || "—"}</td>
              <td className="num">{formatCount(contact.order_count)}</td>
              <td className="num">{formatMoney(contact.lifetime_value, contact.currency)}</td>
              <td>{formatDateTime(contact.created_at)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={contacts.hasMore} loading={contacts.loadingMore} onClick={contacts.loadMore} />
    </Page>
  );
}
