import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import type { ContactImport } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { FormErrorAlert, Notice } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { Card, Page } from "../components/Page";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { ImportConfirmations } from "../contacts/ImportConfirmations";
import { ImportConsentFields } from "../contacts/ImportConsentFields";
import { countCsvRows } from "../contacts/csv";
import { CONSENT_FIELDS, importConsent, NO_CONSENT_INPUTS } from "../contacts/importConsent";
import { formatCount } from "../format";
import { useAction, usePoll } from "../hooks";

const COLUMNS =
  "email (required), first_name, last_name, user_id, lifecycle_stage, tags (separated by ; or |), subscribed (yes/no), and how the row's person consented: consent_method, consent_source, consent_date (YYYY-MM-DD)";

function ImportProgress({ contactImport, totalRows }: { contactImport: ContactImport; totalRows: number }) {
  const { counts, status } = contactImport;
  const done = status === "completed" || status === "failed";
  const rows = counts.rows ?? 0;
  return (
    <Card title="Progress">
      <p>
        <StatusBadge status={status} />
      </p>
      <ProgressBar
        label="Import progress"
        value={done ? 100 : status === "awaiting_upload" || totalRows === 0 ? null : Math.min(rows, totalRows)}
        max={done ? 100 : totalRows}
        text={`${formatCount(rows)} of ${formatCount(totalRows)} rows read`}
      />
      <dl className="stats" style={{ marginTop: "1rem" }}>
        {(["created", "updated", "unchanged", "rejected"] as const).map((key) => (
          <div className="stat" key={key}>
            <dt>{key.charAt(0).toUpperCase() + key.slice(1)}</dt>
            <dd>{formatCount(counts[key] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      {contactImport.failure_reason && (
        <div className="alert error" role="alert" style={{ marginTop: "1rem" }}>
          The import failed: {contactImport.failure_reason}
        </div>
      )}
      {(contactImport.ignored_columns ?? []).length > 0 && <Notice kind="warning">Columns ignored: {contactImport.ignored_columns?.join(", ")}.</Notice>}
      {contactImport.errors.length > 0 && (
        <DataTable columns={[{ label: "Row", numeric: true }, "Field", "Reason"]} caption={`Rows refused or not subscribed${contactImport.errors.length >= 100 ? " (the first 100)" : ""}`} style={{ marginTop: "1rem" }}>
          {contactImport.errors.map((error) => (
            <tr key={`${error.row}-${error.field}`}>
              <td className="num">{error.row}</td>
              <td className="mono">{error.field}</td>
              <td>{error.reason}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}

export function ContactImportPage() {
  const api = useApi();
  const canWrite = useCanWrite();
  const [file, setFile] = useState<File | null>(null);
  const [consent, setConsent] = useState(NO_CONSENT_INPUTS);
  const [totalRows, setTotalRows] = useState(0);
  const [contactImport, setContactImport] = useState<ContactImport | null>(null);

  const start = useAction(async () => {
    if (!file) throw new Error("Choose a CSV file first.");
    const created = await unwrap(api.POST("/contacts/imports/", { body: { filename: file.name, consent: importConsent(consent) } }));
    setContactImport(created);
    if (!created.upload) throw new Error("The API gave no upload address for the file.");
    // The file goes straight to storage through the pre-signed URL, not through the API.
    const uploaded = await fetch(created.upload.url, {
      method: created.upload.method ?? "PUT",
      headers: { "Content-Type": "text/csv", ...(created.upload.headers ?? {}) },
      body: file,
    });
    if (!uploaded.ok) throw new Error(`The file could not be uploaded (${uploaded.status}).`);
    setContactImport({ ...created, status: "processing" });
  });
  const running = Boolean(contactImport && contactImport.status !== "completed" && contactImport.status !== "failed" && !start.pending && !start.error);
  usePoll(
    async () => {
      if (!contactImport) return;
      setContactImport(await unwrap(api.GET("/contacts/imports/{import_id}/", { params: { path: { import_id: contactImport.id } } })));
    },
    1000,
    running,
  );

  const consentErrors = splitFieldErrors(start.error, CONSENT_FIELDS).byField;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start.run();
  };

  return (
    <Page title="Import contacts" parent={{ to: "/contacts", label: "Contacts" }}>
      {!canWrite && <Notice kind="warning">Importing contacts needs the manager role: the API will refuse it.</Notice>}
      <form className="card" onSubmit={submit} aria-label="Import" noValidate>
        <FormErrorAlert error={start.error} fields={CONSENT_FIELDS} />
        <p style={{ marginTop: 0 }}>
          A CSV file with a header row. Columns: {COLUMNS}. Up to 100,000 rows. Existing contacts (by email) are updated; an unsubscribed address stays
          unsubscribed.
        </p>
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={async (event) => {
              const chosen = event.target.files?.[0] ?? null;
              setFile(chosen);
              setContactImport(null);
              setTotalRows(chosen ? countCsvRows(await chosen.text()) : 0);
            }}
          />
          {file && <span className="hint">{formatCount(totalRows)} rows to import</span>}
        </div>
        <ImportConsentFields value={consent} onChange={setConsent} errors={consentErrors} />
        <button type="submit" disabled={!file || start.pending || running}>
          {start.pending ? "Uploading…" : "Start import"}
        </button>
      </form>
      {contactImport && <ImportProgress contactImport={contactImport} totalRows={totalRows} />}
      {contactImport && <ImportConfirmations key={contactImport.id} contactImport={contactImport} onChange={setContactImport} />}
    </Page>
  );
}
