import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import { TRIGGERS, type Automation, type Trigger } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Loading, Notice } from "../components/Alerts";
import { CheckboxField, SelectField, TextField } from "../components/Field";
import { Page } from "../components/Page";
import { delayProblems, describeDelay, emailsOf, moveStep, newStep, parseDelay, sameSteps, stepsOf, type EmailStep } from "../automations/series";
import { humanize } from "../format";
import { useAction, useLoad, useUnsavedChangesWarning } from "../hooks";

const MAX_EMAILS = 20;
const DEFAULT_TRIGGER: Trigger = "user_registered";

/** The form's fields as the saved automation fills them, or as a new one starts. */
function fieldsOf(automation: Automation | undefined) {
  return {
    name: automation?.name ?? "",
    trigger: automation?.trigger ?? DEFAULT_TRIGGER,
    fromName: automation?.from_name ?? "",
    fromEmail: automation?.from_email ?? "",
    replyTo: automation?.reply_to ?? "",
    allowReentry: automation?.allow_reentry ?? false,
    steps: automation ? stepsOf(automation.emails) : [newStep()],
  };
}

/** What the delay means, once it is a number. */
function delayHint(step: EmailStep, index: number): string {
  const hours = parseDelay(step.delay_hours);
  return hours === null ? "Hours to wait" : describeDelay(hours, index === 0);
}

export function AutomationEditorPage() {
  const { automationId } = useParams();
  const api = useApi();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const loaded = useLoad(
    () => (automationId ? unwrap(api.GET("/automations/{automation_id}/", { params: { path: { automation_id: automationId } } })) : Promise.resolve(undefined)),
    [api, automationId],
  );
  const templates = useLoad(() => unwrap(api.GET("/templates/", { params: { query: { limit: 100 } } })), [api]);
  const [blank] = useState(() => fieldsOf(undefined));
  const [name, setName] = useState(blank.name);
  const [trigger, setTrigger] = useState<Trigger>(blank.trigger);
  const [fromName, setFromName] = useState(blank.fromName);
  const [fromEmail, setFromEmail] = useState(blank.fromEmail);
  const [replyTo, setReplyTo] = useState(blank.replyTo);
  const [allowReentry, setAllowReentry] = useState(blank.allowReentry);
  const [steps, setSteps] = useState<EmailStep[]>(blank.steps);
  const [showProblems, setShowProblems] = useState(false);
  const saved = useMemo(() => (loaded.data ? fieldsOf(loaded.data) : blank), [loaded.data, blank]);

  useEffect(() => {
    if (!loaded.data) return;
    setName(saved.name);
    setTrigger(saved.trigger);
    setFromName(saved.fromName);
    setFromEmail(saved.fromEmail);
    setReplyTo(saved.replyTo);
    setAllowReentry(saved.allowReentry);
    setSteps(saved.steps);
  }, [loaded.data]);
  const unsaved =
    name !== saved.name ||
    trigger !== saved.trigger ||
    fromName !== saved.fromName ||
    fromEmail !== saved.fromEmail ||
    replyTo !== saved.replyTo ||
    allowReentry !== saved.allowReentry ||
    !sameSteps(steps, saved.steps);
  useUnsavedChangesWarning(canWrite && unsaved);

  const fields = ["name", "trigger", "from_name", "from_email", "reply_to", "emails", ...steps.flatMap((_, i) => [`emails.${i}`, `emails.${i}.delay_hours`, `emails.${i}.template_id`, `emails.${i}.subject`])];
  // Checked here, not by the API: a blank delay would otherwise go as 0 and send at once.
  const delayErrors = delayProblems(steps);
  const save = useAction(async () => {
    setShowProblems(true);
    if (Object.keys(delayErrors).length > 0) throw new Error("Some emails need a delay (marked below).");
    const optional = (value: string) => (value.trim() ? value.trim() : null);
    const common = { name, emails: emailsOf(steps), allow_reentry: allowReentry, from_name: optional(fromName), from_email: optional(fromEmail), reply_to: optional(replyTo) };
    const automation = automationId
      ? await unwrap(api.PATCH("/automations/{automation_id}/", { params: { path: { automation_id: automationId } }, body: common }))
      : await unwrap(api.POST("/automations/", { body: { ...common, trigger } }));
    navigate(`/automations/${automation.id}`);
  });
  const errors = { ...splitFieldErrors(save.error, fields).byField, ...(showProblems ? delayErrors : {}) };
  const setStep = (index: number, change: Partial<EmailStep>) => setSteps((all) => all.map((step, i) => (i === index ? { ...step, ...change } : step)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  const templateOptions = [{ value: "", label: templates.loading ? "Loading…" : "Choose a template" }, ...(templates.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))];

  if (automationId && !loaded.data) return loaded.error ? <ErrorAlert error={loaded.error} /> : <Loading what="Loading the automation" />;
  if (!canWrite) return <Notice>Changing automations needs the manager role.</Notice>;

  return (
    <Page title={automationId ? `Edit: ${loaded.data?.name ?? ""}` : "New automation"} parent={automationId ? { to: `/automations/${automationId}`, label: "Automation" } : { to: "/automations", label: "Automations" }}>
      <FormErrorAlert error={save.error ?? templates.error} fields={fields} />
      <form className="card" onSubmit={submit} aria-label="Automation" noValidate>
        <div className="form-row">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required />
          <SelectField
            label="Trigger"
            value={trigger}
            disabled={Boolean(automationId)}
            hint={automationId ? "The trigger is fixed once created." : "What starts the series for a contact"}
            onChange={(e) => setTrigger(e.target.value as Trigger)}
            options={TRIGGERS.map((t) => ({ value: t, label: humanize(t) }))}
            error={errors.trigger}
          />
        </div>
        <div className="form-row">
          <TextField label="From name" value={fromName} onChange={(e) => setFromName(e.target.value)} error={errors.from_name} hint="Empty: the shop's name" />
          <TextField label="From email" type="email" value={fromEmail} onChange={(e) => setFromEmail(e.target.value)} error={errors.from_email} hint="Empty: the platform's sender" />
          <TextField label="Reply-to" type="email" value={replyTo} onChange={(e) => setReplyTo(e.target.value)} error={errors.reply_to} />
        </div>
        <CheckboxField label="A contact may go through it again after finishing" checked={allowReentry} onChange={(e) => setAllowReentry(e.target.checked)} />
        <h2 style={{ marginTop: "1.25rem" }}>Emails</h2>
        {errors.emails && <p className="field-error">{errors.emails}</p>}
        <ol style={{ listStyle: "none", paddingLeft: 0 }}>
          {steps.map((step, index) => (
            <li key={step.key}>
              <fieldset>
                <legend>Email {index + 1}</legend>
                {errors[`emails.${index}`] && <p className="field-error">{errors[`emails.${index}`]}</p>}
                <div className="form-row">
                  <TextField
                    label="Delay (hours)"
                    type="number"
                    min={0}
                    max={8760}
                    value={step.delay_hours}
                    onChange={(e) => setStep(index, { delay_hours: e.target.value })}
                    error={errors[`emails.${index}.delay_hours`]}
                    hint={delayHint(step, index)}
                  />
                  <SelectField label="Template" value={step.template_id} onChange={(e) => setStep(index, { template_id: e.target.value })} options={templateOptions} error={errors[`emails.${index}.template_id`]} />
                  <TextField label="Subject" value={step.subject} onChange={(e) => setStep(index, { subject: e.target.value })} error={errors[`emails.${index}.subject`]} hint="Empty: the template's subject" />
                </div>
                <div className="row">
                  <button type="button" className="secondary" onClick={() => setSteps(moveStep(steps, index, -1))} disabled={index === 0}>
                    Move up
                  </button>
                  <button type="button" className="secondary" onClick={() => setSteps(moveStep(steps, index, 1))} disabled={index === steps.length - 1}>
                    Move down
                  </button>
                  <button type="button" className="secondary" onClick={() => setSteps(steps.filter((_, i) => i !== index))} disabled={steps.length === 1}>
                    Remove email
                  </button>
                </div>
              </fieldset>
            </li>
          ))}
        </ol>
        <div className="row">
          <button type="button" className="secondary" onClick={() => setSteps([...steps, newStep({ delay_hours: "24" })])} disabled={steps.length >= MAX_EMAILS}>
            Add email
          </button>
          <button type="submit" disabled={save.pending}>
            {save.pending ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </Page>
  );
}
