import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import type { Campaign } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { FormErrorAlert } from "../components/Alerts";
import { SelectField, TextField } from "../components/Field";
import { formatCount } from "../format";
import { useLoad, useUnsavedChangesWarning } from "../hooks";

export interface CampaignDraft {
  name: string;
  template_id: string;
  segment_id: string;
  subject: string;
  from_name: string;
  from_email: string;
  reply_to: string;
}

export const CAMPAIGN_FIELDS = ["name", "template_id", "segment_id", "subject", "from_name", "from_email", "reply_to"] as const;

export function draftOf(campaign: Campaign | undefined): CampaignDraft {
  return {
    name: campaign?.name ?? "",
    template_id: campaign?.template_id ?? "",
    segment_id: campaign?.segment_id ?? "",
    subject: campaign?.subject ?? "",
    from_name: campaign?.from_name ?? "",
    from_email: campaign?.from_email ?? "",
    reply_to: campaign?.reply_to ?? "",
  };
}

function sameDraft(a: CampaignDraft, b: CampaignDraft): boolean {
  return CAMPAIGN_FIELDS.every((field) => a[field] === b[field]);
}

/** The body the API takes: optional fields left empty are sent as null (the defaults apply). */
export function bodyOf(draft: CampaignDraft) {
  const optional = (value: string) => (value.trim() ? value.trim() : null);
  return {
    name: draft.name.trim(),
    template_id: draft.template_id,
    segment_id: draft.segment_id,
    from_name: draft.from_name.trim(),
    subject: optional(draft.subject),
    from_email: optional(draft.from_email),
    reply_to: optional(draft.reply_to),
  };
}

interface CampaignFormProps {
  initial: CampaignDraft;
  submitLabel: string;
  onSubmit(draft: CampaignDraft): Promise<unknown>;
}

/** Name, template, segment and sender of a campaign, for creating one or editing a draft. */
export function CampaignForm({ initial, submitLabel, onSubmit }: CampaignFormProps) {
  const api = useApi();
  const [draft, setDraft] = useState(initial);
  // What was last loaded or saved: the form stays mounted across saves, so it keeps its own.
  const [saved, setSaved] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const choices = useLoad(
    async () => {
      const [templates, segments] = await Promise.all([
        unwrap(api.GET("/templates/", { params: { query: { limit: 100 } } })),
        unwrap(api.GET("/segments/", { params: { query: { limit: 100 } } })),
      ]);
      return { templates: templates.items.filter((t) => t.category !== "transactional"), segments: segments.items };
    },
    [api],
  );
  const templates = choices.data?.templates ?? [];
  const segments = choices.data?.segments ?? [];
  const template = templates.find((t) => t.id === draft.template_id);
  const segment = segments.find((s) => s.id === draft.segment_id);
  const errors = splitFieldErrors(error, CAMPAIGN_FIELDS).byField;
  const set = (field: keyof CampaignDraft) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));
  useUnsavedChangesWarning(!sameDraft(draft, saved));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await onSubmit(draft);
      setSaved(draft);
    } catch (reason) {
      setError(reason);
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} className="card" aria-label="Campaign" noValidate>
      <FormErrorAlert error={error ?? choices.error} fields={CAMPAIGN_FIELDS} />
      <TextField label="Name" value={draft.name} onChange={set("name")} error={errors.name} required />
      <div className="form-row">
        <SelectField
          label="Template"
          value={draft.template_id}
          onChange={set("template_id")}
          error={errors.template_id}
          options={[{ value: "", label: choices.loading ? "Loading…" : "Choose a template" }, ...templates.map((t) => ({ value: t.id, label: t.name }))]}
          required
        />
        <SelectField
          label="Segment"
          value={draft.segment_id}
          onChange={set("segment_id")}
          error={errors.segment_id}
          hint={segment ? `${formatCount(segment.contact_count)} members at the last refresh` : undefined}
          options={[
            { value: "", label: choices.loading ? "Loading…" : "Choose a segment" },
            ...segments.map((s) => ({ value: s.id, label: `${s.name} (${formatCount(s.contact_count)})` })),
          ]}
          required
        />
      </div>
      <TextField
        label="Subject"
        value={draft.subject}
        onChange={set("subject")}
        error={errors.subject}
        placeholder={template?.subject}
        hint="Leave empty to use the template's subject."
      />
      <div className="form-row">
        <TextField label="From name" value={draft.from_name} onChange={set("from_name")} error={errors.from_name} required />
        <TextField label="From email" type="email" value={draft.from_email} onChange={set("from_email")} error={errors.from_email} hint="Empty: the platform's sender" />
        <TextField label="Reply-to" type="email" value={draft.reply_to} onChange={set("reply_to")} error={errors.reply_to} />
      </div>
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : submitLabel}
      </button>
    </form>
  );
}
