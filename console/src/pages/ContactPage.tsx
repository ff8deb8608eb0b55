import { useEffect, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import { LIFECYCLE_STAGES, type Contact, type ContactExport, type LifecycleStage, type Subscriber } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Loading, Notice } from "../components/Alerts";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { SelectField, TextField } from "../components/Field";
import { Card, Page } from "../components/Page";
import { ConsentHistoryCard } from "../contacts/ConsentHistory";
import { AutomationRunsCard, EmailsCard, OrdersCard, PointsAndReferralsCard, SubscriptionCard } from "../contacts/ContactSections";
import { formatCount, formatDateTime, formatMoney, humanize } from "../format";
import { useAction, useLoad } from "../hooks";

const FIELDS = ["first_name", "last_name", "lifecycle_stage", "tags", "email"] as const;

function Profile({ contact }: { contact: Contact }) {
  const rows: [string, string][] = [
    ["Stage", humanize(contact.lifecycle_stage)],
    ["Orders", formatCount(contact.order_count)],
    ["Lifetime value", formatMoney(contact.lifetime_value, contact.currency)],
    ["Last order", formatDateTime(contact.last_order_at)],
    ["Tags", contact.tags.join(", ") || "—"],
    ["Shop user id", contact.user_id ?? "—"],
    ["Added", formatDateTime(contact.created_at)],
  ];
  return (
    <dl className="stats">
      {rows.map(([label, value]) => (
        <div className="stat" key={label}>
          <dt>{label}</dt>
          <dd style={{ fontSize: "1rem", fontWeight: 600 }}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function EditContact({ contact, onSaved }: { contact: Contact; onSaved(contact: Contact): void }) {
  const api = useApi();
  const [form, setForm] = useState({ first_name: contact.first_name, last_name: contact.last_name, lifecycle_stage: contact.lifecycle_stage, tags: contact.tags.join(", ") });
  const save = useAction(async () => {
    const tags = form.tags.split(",").map((tag) => tag.trim()).filter(Boolean);
    onSaved(await unwrap(api.PATCH("/contacts/{contact_id}/", { params: { path: { contact_id: contact.id } }, body: { ...form, tags } })));
  });
  const errors = splitFieldErrors(save.error, FIELDS).byField;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  return (
    <form onSubmit={submit} aria-label="Edit contact" noValidate>
      <FormErrorAlert error={save.error} fields={FIELDS} />
      <div className="form-row">
        <TextField label="First name" value={form.first_name} onChange={(e) => setForm({ ...form, first_name: e.target.value })} error={errors.first_name} />
        <TextField label="Last name" value={form.last_name} onChange={(e) => setForm({ ...form, last_name: e.target.value })} error={errors.last_name} />
        <SelectField
          label="Lifecycle stage"
          value={form.lifecycle_stage}
          onChange={(e) => setForm({ ...form, lifecycle_stage: e.target.value as LifecycleStage })}
          options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: humanize(s) }))}
          error={errors.lifecycle_stage}
        />
      </div>
      <TextField label="Tags" hint="Separate tags with commas" value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} error={errors.tags} />
      <button type="submit" disabled={save.pending}>
        Save
      </button>
    </form>
  );
}

function download(filename: string, data: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ContactPage() {
  const { contactId = "" } = useParams();
  const api = useApi();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const path = { params: { path: { contact_id: contactId } } };
  const loaded = useLoad(() => unwrap(api.GET("/contacts/{contact_id}/", path)), [api, contactId]);
  const contact = loaded.data;
  // The full record (orders, emails, runs, points, referrals) is the contact's export, which moves
  // personal data: managers only. Analysts see the subscription and points from their own routes.
  const details = useLoad(async (): Promise<Partial<ContactExport> | undefined> => {
    if (!contact) return undefined;
    if (canWrite) return unwrap(api.GET("/contacts/{contact_id}/export/", path));
    const subscribers = await unwrap(api.GET("/subscribers/", { params: { query: { email: contact.email, limit: 1 } } }));
    return { contact, subscriber: subscribers.items[0] ?? null };
  }, [api, contact?.id, canWrite]);
  const [subscriber, setSubscriber] = useState<Subscriber | null | undefined>(undefined);
  useEffect(() => setSubscriber(details.data?.subscriber), [details.data]);
  const [subscriptionChanges, setSubscriptionChanges] = useState(0);
  const [confirmErase, setConfirmErase] = useState(false);
  const [editing, setEditing] = useState(false);
  const exportAction = useAction(async () => download(`contact-${contactId}.json`, await unwrap(api.GET("/contacts/{contact_id}/export/", path))));
  const erase = useAction(async () => {
    await unwrap(api.DELETE("/contacts/{contact_id}/", path));
    navigate("/contacts", { replace: true });
  });

  if (!contact) return loaded.error ? <ErrorAlert error={loaded.error} /> : <Loading what="Loading the contact" />;
  const name = `${contact.first_name} ${contact.last_name}`.trim();
  const full = details.data && "orders" in details.data ? (details.data as ContactExport) : undefined;

  return (
    <Page
      title={name ? `${name} (${contact.email})` : contact.email}
      parent={{ to: "/contacts", label: "Contacts" }}
      actions={
        canWrite && (
          <>
            <button type="button" className="secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              Edit contact
            </button>
            <button type="button" className="secondary" onClick={() => void exportAction.run()} disabled={exportAction.pending}>
              Export
            </button>
            <button type="button" className="danger" onClick={() => setConfirmErase(true)}>
              Erase contact
            </button>
          </>
        )
      }
    >
      <ErrorAlert error={exportAction.error ?? erase.error} />
      <Card title="Profile">
        {editing ? (
          <EditContact
            contact={contact}
            onSaved={(saved) => {
              loaded.setData(saved);
              setEditing(false);
            }}
          />
        ) : (
          <Profile contact={contact} />
        )}
      </Card>
      <ErrorAlert error={details.error} />
      {details.loading && !details.data ? (
        <Loading what="Loading the contact's history" />
      ) : (
        <>
          <SubscriptionCard
            subscriber={subscriber}
            doNotEmail={details.data?.do_not_email}
            onChange={(changed) => {
              setSubscriber(changed);
              setSubscriptionChanges((count) => count + 1);
            }}
          />
          <ConsentHistoryCard contactId={contact.id} changes={subscriptionChanges} />
          {full ? (
            <>
              <OrdersCard data={full} />
              <EmailsCard data={full} />
              <AutomationRunsCard data={full} />
              <PointsAndReferralsCard data={full} />
            </>
          ) : (
            <Notice>Orders, emails received, automation runs, points and referrals are part of the contact's full record, which the manager role can open.</Notice>
          )}
        </>
      )}
      <ConfirmDialog
        open={confirmErase}
        title={`Erase ${contact.email}?`}
        confirmLabel="Erase contact"
        cancelLabel="Keep contact"
        danger
        onCancel={() => setConfirmErase(false)}
        onConfirm={() => {
          setConfirmErase(false);
          void erase.run();
        }}
      >
        <p>The contact's personal data is deleted for good (right to erasure). This cannot be undone.</p>
      </ConfirmDialog>
    </Page>
  );
}
