import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import { TEMPLATE_CATEGORIES, type Template, type TemplateCategory } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Loading, Notice } from "../components/Alerts";
import { CodeEditor } from "../components/CodeEditor";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EmailFrame } from "../components/EmailFrame";
import { SelectField, TextAreaField, TextField } from "../components/Field";
import { Card, Page } from "../components/Page";
import { Tabs } from "../components/Tabs";
import { TestSendForm } from "../components/TestSendForm";
import { humanize } from "../format";
import { useAction, useDebounced, useLoad, useUnsavedChangesWarning } from "../hooks";
import { MERGE_TAGS, renderDraft, sampleContext } from "../templates/mergeTags";

interface Draft {
  name: string;
  category: TemplateCategory;
  subject: string;
  html_content: string;
  text_content: string;
}

const FIELDS = ["name", "category", "subject", "html_content", "text_content"] as const;

const STARTER: Draft = {
  name: "",
  category: "promotional",
  subject: "Hello {{ first_name }}",
  html_content:
    '<h1>Hello {{ first_name | default("there") }}</h1>\n<p>News from {{ shop_name }}.</p>\n<p><a href="https://example.com/sale">See the sale</a></p>\n<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>\n',
  text_content: "",
};

function draftOf(template: Template): Draft {
  const { name, category, subject, html_content, text_content } = template;
  return { name, category, subject, html_content, text_content };
}

function sameDraft(a: Draft, b: Draft): boolean {
  return FIELDS.every((field) => a[field] === b[field]);
}

function Variables() {
  return (
    <Card title="Variables">
      <p className="small muted" style={{ marginTop: 0 }}>
        Write them as <code>{"{{ first_name }}"}</code>. Previews use the sample values.
      </p>
      <dl className="variables">
        {MERGE_TAGS.map((tag) => (
          <div key={tag.name}>
            <dt>{`{{ ${tag.name} }}`}</dt>
            <dd>
              {tag.description} — e.g. {String(tag.sample)}
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function Preview({ draft, saved, templateId }: { draft: Draft; saved: Draft | undefined; templateId: string | undefined }) {
  const api = useApi();
  const canWrite = useCanWrite();
  const [tab, setTab] = useState("html");
  const debounced = useDebounced(draft, 250);
  // The preview route is a POST, which the analyst role may not call: analysts get the draft preview.
  const unchanged = Boolean(canWrite && templateId && saved && sameDraft(debounced, saved));
  // The saved template, exactly as the API's Jinja2 sandbox renders it with the sample contact.
  const server = useLoad(
    () =>
      unchanged && templateId
        ? unwrap(api.POST("/templates/{template_id}/preview/", { params: { path: { template_id: templateId } }, body: {} }))
        : Promise.resolve(undefined),
    [api, templateId, unchanged, saved],
  );
  const local = useMemo(() => {
    const context = sampleContext();
    const html = renderDraft(debounced.html_content, context, { html: true });
    const text = debounced.text_content ? renderDraft(debounced.text_content, context, { html: false }) : "(derived from the HTML when sent)";
    return { subject: renderDraft(debounced.subject, context, { html: false }), html, text };
  }, [debounced]);
  const shown = unchanged && server.data ? server.data : local;

  return (
    <Card title="Preview">
      <p className="small muted" style={{ marginTop: 0 }} aria-live="polite">
        {unchanged && server.data ? "As the API renders the saved template, for the sample contact." : "Your draft, with the sample contact's values (updates as you type)."}
      </p>
      <p>
        <strong>Subject:</strong> <span data-testid="preview-subject">{shown.subject}</span>
      </p>
      <Tabs
        label="Preview"
        tabs={[
          { id: "html", label: "Rendered email" },
          { id: "text", label: "Plain text" },
        ]}
        selected={tab}
        onSelect={setTab}
      >
        {tab === "html" ? <EmailFrame title="Email preview" html={shown.html} /> : <pre className="card">{shown.text}</pre>}
      </Tabs>
    </Card>
  );
}

export function TemplateEditorPage() {
  const { templateId } = useParams();
  const api = useApi();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const htmlLabelId = useId();
  const loaded = useLoad(
    () => (templateId ? unwrap(api.GET("/templates/{template_id}/", { params: { path: { template_id: templateId } } })) : Promise.resolve(undefined)),
    [api, templateId],
  );
  const saved = loaded.data ? draftOf(loaded.data) : undefined;
  const [draft, setDraft] = useState<Draft>(STARTER);
  const [savedNotice, setSavedNotice] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  // The template the draft is of. The draft is filled from the saved copy when another template
  // loads, not when a save answers: what was typed while it saved would be lost.
  const draftIsOf = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!loaded.data || loaded.data.id === draftIsOf.current) return;
    draftIsOf.current = loaded.data.id;
    setDraft(draftOf(loaded.data));
  }, [loaded.data]);
  const dirty = !saved || !sameDraft(draft, saved);
  // A new template's starter text is not work to lose.
  useUnsavedChangesWarning(canWrite && (saved ? dirty : !sameDraft(draft, STARTER)));

  const save = useAction(async () => {
    const template = templateId
      ? await unwrap(api.PATCH("/templates/{template_id}/", { params: { path: { template_id: templateId } }, body: draft }))
      : await unwrap(api.POST("/templates/", { body: draft }));
    setSavedNotice(true);
    if (templateId) loaded.setData(template);
    else {
      draftIsOf.current = template.id; // the draft (and anything typed since) is the new template's
      navigate(`/templates/${template.id}`, { replace: true });
    }
  });
  const remove = useAction(async () => {
    if (!templateId) return;
    await unwrap(api.DELETE("/templates/{template_id}/", { params: { path: { template_id: templateId } } }));
    navigate("/templates");
  });
  const errors = splitFieldErrors(save.error, FIELDS).byField;
  const set = <K extends keyof Draft>(field: K, value: Draft[K]) => {
    setSavedNotice(false);
    setDraft((previous) => ({ ...previous, [field]: value }));
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };

  if (templateId && loaded.loading) return <Loading what="Loading the template" />;
  if (templateId && loaded.error) return <ErrorAlert error={loaded.error} />;

  return (
    <Page title={templateId ? `Template: ${saved?.name ?? ""}` : "New template"} parent={{ to: "/templates", label: "Templates" }}>
      {!canWrite && <Notice>You can read templates; changing them needs the manager role.</Notice>}
      <FormErrorAlert error={save.error} fields={FIELDS} />
      <ErrorAlert error={remove.error} />
      {savedNotice && !dirty && <Notice kind="success">Saved.</Notice>}
      <div className="editor-grid">
        <div className="stack">
        <form onSubmit={onSubmit} className="card" aria-label="Template" noValidate>
          <div className="form-row">
            <TextField label="Name" value={draft.name} onChange={(e) => set("name", e.target.value)} error={errors.name} readOnly={!canWrite} required />
            <SelectField
              label="Category"
              value={draft.category}
              onChange={(e) => set("category", e.target.value as TemplateCategory)}
              options={TEMPLATE_CATEGORIES.map((category) => ({ value: category, label: humanize(category) }))}
              error={errors.category}
              disabled={!canWrite}
            />
          </div>
          <TextField label="Subject" value={draft.subject} onChange={(e) => set("subject", e.target.value)} error={errors.subject} readOnly={!canWrite} required />
          <div className="field">
            <span className="label" id={htmlLabelId}>
              HTML
            </span>
            <CodeEditor
              labelId={htmlLabelId}
              value={draft.html_content}
              onChange={(value) => set("html_content", value)}
              describedBy={errors.html_content ? `${htmlLabelId}-error` : undefined}
              invalid={Boolean(errors.html_content)}
              readOnly={!canWrite}
            />
            {errors.html_content && (
              <span className="field-error" id={`${htmlLabelId}-error`}>
                {errors.html_content}
              </span>
            )}
          </div>
          <TextAreaField
            label="Text"
            hint="The plain-text part. Leave empty to derive it from the HTML."
            value={draft.text_content}
            onChange={(e) => set("text_content", e.target.value)}
            error={errors.text_content}
            readOnly={!canWrite}
            rows={6}
          />
          {canWrite && (
            <div className="row">
              <button type="submit" disabled={save.pending}>
                {save.pending ? "Saving…" : "Save"}
              </button>
              {templateId && (
                <button type="button" className="secondary" onClick={() => setConfirmDelete(true)} disabled={remove.pending}>
                  Delete template
                </button>
              )}
            </div>
          )}
        </form>
        {canWrite && templateId && (
          <Card title="Send a test">
            <TestSendForm
              send={(emails) =>
                unwrap(api.POST("/templates/{template_id}/test-send/", { params: { path: { template_id: templateId } }, body: { emails } }))
              }
            />
          </Card>
        )}
        </div>
        <div className="stack">
          <Preview draft={draft} saved={saved} templateId={templateId} />
          <Variables />
        </div>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this template?"
        confirmLabel="Delete template"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          void remove.run();
        }}
      >
        <p>Campaigns and automations that use it will no longer be able to send.</p>
      </ConfirmDialog>
    </Page>
  );
}
