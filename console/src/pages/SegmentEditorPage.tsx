import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import type { ApiCriteria, Segment } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Loading, Notice } from "../components/Alerts";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DataTable } from "../components/DataTable";
import { SelectField, TextAreaField, TextField } from "../components/Field";
import { LoadMore } from "../components/LoadMore";
import { Card, Page } from "../components/Page";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { formatCount, formatDateTime, formatMoney, humanize } from "../format";
import { useAction, useLoad, usePaged, usePoll, useUnsavedChangesWarning } from "../hooks";
import { CriteriaParseError, fromCriteria, toCriteria, type CriteriaJson, type Group } from "../segments/criteria";
import { SegmentBuilder } from "../segments/SegmentBuilder";

const FIELDS = ["name", "description", "type", "criteria", "contact_ids", "add_contact_ids", "remove_contact_ids"] as const;

function idsFrom(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
}

interface SegmentForm {
  name: string;
  description: string;
  type: "dynamic" | "static";
  criteria: CriteriaJson;
  contactIds: string;
  removeIds: string;
}

/** The form as one value to compare: it holds unsaved work when it differs from the saved one's. */
function snapshotOf(form: SegmentForm): string {
  const { name, description, type, criteria, contactIds, removeIds } = form;
  return JSON.stringify([name, description, type, type === "dynamic" ? criteria : null, contactIds.trim(), removeIds.trim()]);
}

function defaultRoot(): Group {
  return fromCriteria({ all: [{ lifecycle_stage: "customer" }] });
}

const REFRESH_STEPS: Record<string, { value: number; text: string }> = {
  queued: { value: 33, text: "Queued: waiting for a worker…" },
  running: { value: 66, text: "Running: counting the members…" },
};

function RefreshCard({ segment, onRefreshed }: { segment: Segment; onRefreshed(segment: Segment): void }) {
  const api = useApi();
  const canWrite = useCanWrite();
  // A refresh that failed stays queued with its error until the queue delivers it again: nothing
  // moves until then, so the bar stops, polling stops and Refresh is offered. (A retry that is
  // running keeps the old error until it finishes, and is watched like any run.)
  const failed = segment.refresh_status === "queued" && Boolean(segment.refresh_error);
  const [watching, setWatching] = useState(segment.refresh_status !== "idle" && !failed);
  const busy = segment.refresh_status !== "idle" && !failed;
  const refresh = useAction(async () => {
    const queued = await unwrap(api.POST("/segments/{segment_id}/refresh/", { params: { path: { segment_id: segment.id } } }));
    setWatching(true);
    onRefreshed(queued);
  });
  usePoll(
    async () => {
      const latest = await unwrap(api.GET("/segments/{segment_id}/", { params: { path: { segment_id: segment.id } } }));
      onRefreshed(latest);
    },
    1000,
    busy,
  );
  const step = REFRESH_STEPS[segment.refresh_status];
  return (
    <Card
      title="Membership"
      actions={
        canWrite &&
        segment.type === "dynamic" && (
          <button type="button" onClick={() => void refresh.run()} disabled={busy || refresh.pending}>
            Refresh
          </button>
        )
      }
    >
      <ErrorAlert error={refresh.error} />
      <dl className="stats">
        <div className="stat">
          <dt>Members</dt>
          <dd>{formatCount(segment.contact_count)}</dd>
        </div>
        <div className="stat">
          <dt>Refreshed</dt>
          <dd style={{ fontSize: "1rem" }}>{formatDateTime(segment.refreshed_at)}</dd>
        </div>
        <div className="stat">
          <dt>Refresh</dt>
          <dd style={{ fontSize: "1rem" }}>
            <StatusBadge status={failed ? "failed" : segment.refresh_status} />
          </dd>
        </div>
      </dl>
      {(busy || watching) && !failed && (
        <div style={{ marginTop: "0.75rem" }}>
          <ProgressBar
            label="Refresh progress"
            value={step ? step.value : 100}
            text={step ? step.text : `Done: ${formatCount(segment.contact_count)} members.`}
          />
        </div>
      )}
      {segment.refresh_error && (
        <div className="alert error" role="alert" style={{ marginTop: "0.75rem" }}>
          The last refresh failed: {segment.refresh_error}
          {failed && (
            <p className="small" style={{ margin: "0.25rem 0 0" }}>
              It is retried automatically; press Refresh to check on it or to start it again.
            </p>
          )}
        </div>
      )}
    </Card>
  );
}

function MembersTable({ segment }: { segment: Segment }) {
  const api = useApi();
  // Reloaded when the members change: a refresh ends, or contacts are added to or removed from a
  // static segment (which changes its updated_at and contact_count, not refreshed_at).
  const members = usePaged(
    (next) => unwrap(api.GET("/segments/{segment_id}/contacts/", { params: { path: { segment_id: segment.id }, query: { limit: 50, next } } })),
    [api, segment.id, segment.refreshed_at, segment.updated_at, segment.contact_count],
  );
  if (members.loading) return <Loading what="Loading members" />;
  return (
    <>
      <ErrorAlert error={members.error} />
      {members.items.length === 0 ? (
        <p className="muted">No members{segment.refreshed_at || segment.type === "static" ? "" : " yet: refresh the segment to count them"}.</p>
      ) : (
        <DataTable columns={["Email", "Name", "Stage", { label: "Orders", numeric: true }, { label: "Lifetime value", numeric: true }]}>
          {members.items.map((contact) => (
            <tr key={contact.id}>
              <td>
                <Link to={`/contacts/${contact.id}`}>{contact.email}</Link>
              </td>
              <td>{`${contact.first_name} ${contact.last_name}`.trim() || "—"}</td>
              <td>{humanize(contact.lifecycle_stage)}</td>
              <td className="num">{contact.order_count}</td>
              <td className="num">{formatMoney(contact.lifetime_value, contact.currency)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={members.hasMore} loading={members.loadingMore} onClick={members.loadMore} />
    </>
  );
}

/** The criteria JSON, shown and editable: what the builder makes, and a way to paste criteria in. */
function CriteriaJson({ root, onApply, readOnly }: { root: Group; onApply(root: Group): void; readOnly: boolean }) {
  const json = useMemo(() => JSON.stringify(toCriteria(root).criteria, null, 2), [root]);
  const [text, setText] = useState(json);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setText(json), [json]);
  const apply = () => {
    try {
      onApply(fromCriteria(JSON.parse(text)));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof CriteriaParseError || error instanceof SyntaxError ? error.message : "These criteria cannot be read.");
    }
  };
  return (
    <details>
      <summary>Criteria as JSON</summary>
      <TextAreaField label="Criteria JSON" className="mono" rows={10} value={text} readOnly={readOnly} onChange={(e) => setText(e.target.value)} error={problem ?? undefined} />
      {!readOnly && (
        <button type="button" className="secondary" onClick={apply}>
          Apply JSON
        </button>
      )}
    </details>
  );
}

export function SegmentEditorPage() {
  const { segmentId } = useParams();
  const api = useApi();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const loaded = useLoad(
    () => (segmentId ? unwrap(api.GET("/segments/{segment_id}/", { params: { path: { segment_id: segmentId } } })) : Promise.resolve(undefined)),
    [api, segmentId],
  );
  const segment = loaded.data;
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [type, setType] = useState<"dynamic" | "static">("dynamic");
  const [root, setRoot] = useState<Group>(defaultRoot);
  const [contactIds, setContactIds] = useState("");
  const [removeIds, setRemoveIds] = useState("");
  const [parseProblem, setParseProblem] = useState<string | null>(null);
  const [showProblems, setShowProblems] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // The form as last loaded or saved, to tell unsaved work from it.
  const [savedSnapshot, setSavedSnapshot] = useState(() =>
    snapshotOf({ name: "", description: "", type: "dynamic", criteria: toCriteria(defaultRoot()).criteria, contactIds: "", removeIds: "" }),
  );

  // Load the form from the segment once per segment (polling refreshes must not undo edits).
  const loadedId = segment?.id;
  useEffect(() => {
    if (!segment) return;
    setName(segment.name);
    setDescription(segment.description);
    setType(segment.type);
    let loadedRoot = root;
    try {
      loadedRoot = fromCriteria(segment.criteria);
      setRoot(loadedRoot);
      setParseProblem(null);
    } catch (error) {
      setParseProblem(error instanceof Error ? error.message : String(error));
    }
    setSavedSnapshot(
      snapshotOf({ name: segment.name, description: segment.description, type: segment.type, criteria: toCriteria(loadedRoot).criteria, contactIds: "", removeIds: "" }),
    );
  }, [loadedId]);

  const { criteria, problems } = toCriteria(root);
  useUnsavedChangesWarning(canWrite && snapshotOf({ name, description, type, criteria, contactIds, removeIds }) !== savedSnapshot);
  const save = useAction(async () => {
    setShowProblems(true);
    if (type === "dynamic" && problems.length > 0) throw new Error("Some conditions need fixing first (marked below).");
    let result: Segment;
    if (segmentId) {
      result = await unwrap(
        api.PATCH("/segments/{segment_id}/", {
          params: { path: { segment_id: segmentId } },
          body:
            type === "dynamic"
              ? { name, description, criteria: criteria as ApiCriteria }
              : { name, description, add_contact_ids: idsFrom(contactIds), remove_contact_ids: idsFrom(removeIds) },
        }),
      );
      loaded.setData(result);
      // The ids sent are done with; ids typed while it saved are kept (this closure holds what was sent).
      setContactIds((current) => (current === contactIds ? "" : current));
      setRemoveIds((current) => (current === removeIds ? "" : current));
      setSavedSnapshot(snapshotOf({ name, description, type, criteria, contactIds: "", removeIds: "" }));
    } else {
      result = await unwrap(
        api.POST("/segments/", {
          body: type === "dynamic" ? { name, description, type, criteria: criteria as ApiCriteria } : { name, description, type, contact_ids: idsFrom(contactIds) },
        }),
      );
      navigate(`/segments/${result.id}`, { replace: true });
    }
    setSaved(true);
    setShowProblems(false);
  });
  const remove = useAction(async () => {
    if (!segmentId) return;
    await unwrap(api.DELETE("/segments/{segment_id}/", { params: { path: { segment_id: segmentId } } }));
    navigate("/segments");
  });
  const errors = splitFieldErrors(save.error, FIELDS).byField;
  const edit = <T,>(setter: (value: T) => void) => (value: T) => {
    setSaved(false);
    setter(value);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };

  if (segmentId && loaded.loading && !segment) return <Loading what="Loading the segment" />;
  if (segmentId && !segment) return <ErrorAlert error={loaded.error} />;

  return (
    <Page title={segment ? `Segment: ${segment.name}` : "New segment"} parent={{ to: "/segments", label: "Segments" }}>
      {!canWrite && <Notice>You can read segments; changing them needs the manager role.</Notice>}
      <FormErrorAlert error={save.error} fields={FIELDS} />
      <ErrorAlert error={remove.error} />
      {saved && <Notice kind="success">Saved.{type === "dynamic" && segment ? " Refresh to count its members." : ""}</Notice>}
      {segment && <RefreshCard segment={segment} onRefreshed={loaded.setData} />}
      <form className="card" onSubmit={onSubmit} aria-label="Segment" noValidate>
        <div className="form-row">
          <TextField label="Name" value={name} onChange={(e) => edit(setName)(e.target.value)} error={errors.name} readOnly={!canWrite} required />
          <SelectField
            label="Type"
            value={type}
            disabled={Boolean(segmentId) || !canWrite}
            onChange={(e) => edit(setType)(e.target.value as "dynamic" | "static")}
            options={[
              { value: "dynamic", label: "Dynamic: who matches the criteria" },
              { value: "static", label: "Static: a list of contacts" },
            ]}
            error={errors.type}
          />
        </div>
        <TextField label="Description" value={description} onChange={(e) => edit(setDescription)(e.target.value)} error={errors.description} readOnly={!canWrite} />
        {type === "dynamic" ? (
          <>
            {parseProblem && (
              <div className="alert warning" role="alert">
                The builder cannot show these criteria ({parseProblem}). Saving replaces them.
              </div>
            )}
            {errors.criteria && (
              <p className="field-error" role="alert">
                {errors.criteria}
              </p>
            )}
            <SegmentBuilder root={root} onChange={edit(setRoot)} problems={showProblems ? problems : []} readOnly={!canWrite} />
            <CriteriaJson root={root} onApply={edit(setRoot)} readOnly={!canWrite} />
          </>
        ) : (
          canWrite && (
            <>
              <TextAreaField
                label={segmentId ? "Add contacts" : "Contacts"}
                hint="Contact ids, one per line or separated by commas"
                rows={4}
                value={contactIds}
                onChange={(e) => edit(setContactIds)(e.target.value)}
                error={errors.contact_ids ?? errors.add_contact_ids}
              />
              {segmentId && (
                <TextAreaField label="Remove contacts" hint="Contact ids" rows={3} value={removeIds} onChange={(e) => edit(setRemoveIds)(e.target.value)} error={errors.remove_contact_ids} />
              )}
            </>
          )
        )}
        {canWrite && (
          <div className="row" style={{ marginTop: "1rem" }}>
            <button type="submit" disabled={save.pending}>
              {save.pending ? "Saving…" : "Save"}
            </button>
            {segmentId && (
              <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
                Delete segment
              </button>
            )}
          </div>
        )}
      </form>
      {segment && (
        <Card title="Members">
          <MembersTable segment={segment} />
        </Card>
      )}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this segment?"
        confirmLabel="Delete segment"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          void remove.run();
        }}
      >
        <p>Campaigns already sent keep their recipients; drafts that use it cannot be sent.</p>
      </ConfirmDialog>
    </Page>
  );
}
