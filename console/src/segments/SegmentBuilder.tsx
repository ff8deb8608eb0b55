import { LIFECYCLE_STAGES, type LifecycleStage } from "../api/types";
import { humanize } from "../format";
import {
  addChild,
  CONDITION_FIELDS,
  levelOf,
  MAX_DEPTH,
  newCondition,
  newGroup,
  removeNode,
  replaceNode,
  type Condition,
  type ConditionField,
  type CriteriaNode,
  type Group,
  type Problem,
} from "./criteria";
import { SelectField, TextField } from "../components/Field";

interface BuilderProps {
  root: Group;
  onChange(root: Group): void;
  problems: Problem[];
  readOnly: boolean;
}

/** Group names in reading order, so nested groups can be told apart by name: "Group 2", … */
function groupNames(root: Group): Map<string, string> {
  const names = new Map<string, string>();
  let count = 1;
  const visit = (node: CriteriaNode) => {
    if (node.kind !== "group") return;
    names.set(node.id, node.id === root.id ? "Who belongs" : `Group ${(count += 1)}`);
    node.children.forEach(visit);
  };
  visit(root);
  return names;
}

function ProblemText({ nodeId, problems }: { nodeId: string; problems: Problem[] }) {
  const mine = problems.filter((problem) => problem.nodeId === nodeId);
  if (mine.length === 0) return null;
  return <span className="field-error small">{mine.map((problem) => problem.message).join(" ")}</span>;
}

function ConditionValueEditor({ condition, onChange, readOnly }: { condition: Condition; onChange(next: Condition): void; readOnly: boolean }) {
  switch (condition.field) {
    case "lifecycle_stage":
      return (
        <fieldset style={{ margin: 0 }}>
          <legend className="small">Stages (any of)</legend>
          {LIFECYCLE_STAGES.map((stage) => (
            <label className="inline-choice" key={stage}>
              <input
                type="checkbox"
                checked={condition.stages.includes(stage)}
                disabled={readOnly}
                onChange={(event) => {
                  const stages: LifecycleStage[] = event.target.checked ? [...condition.stages, stage] : condition.stages.filter((s) => s !== stage);
                  onChange({ ...condition, stages: LIFECYCLE_STAGES.filter((s) => stages.includes(s)) });
                }}
              />
              {humanize(stage)}
            </label>
          ))}
        </fieldset>
      );
    case "tags":
      return (
        <>
          <SelectField
            label="Tag match"
            value={condition.match}
            disabled={readOnly}
            onChange={(event) => onChange({ ...condition, match: event.target.value as "any" | "all" })}
            options={[
              { value: "any", label: "has any of" },
              { value: "all", label: "has all of" },
            ]}
          />
          <TextField
            label="Tags"
            hint="Separate tags with commas"
            value={condition.tags.join(",")}
            readOnly={readOnly}
            onChange={(event) => onChange({ ...condition, tags: event.target.value.split(",") })}
          />
        </>
      );
    case "min_order_count":
      return <TextField label="Orders" type="number" min={0} step={1} value={condition.value} readOnly={readOnly} onChange={(event) => onChange({ ...condition, value: event.target.value })} />;
    case "min_ltv":
      return <TextField label="Amount" inputMode="decimal" value={condition.value} readOnly={readOnly} onChange={(event) => onChange({ ...condition, value: event.target.value })} />;
    case "subscribed":
      return (
        <SelectField
          label="Subscription status"
          value={condition.value ? "yes" : "no"}
          disabled={readOnly}
          onChange={(event) => onChange({ ...condition, value: event.target.value === "yes" })}
          options={[
            { value: "yes", label: "is subscribed" },
            { value: "no", label: "is not subscribed" },
          ]}
        />
      );
    case "last_order_before":
    case "last_order_after":
      return (
        <TextField
          label="Date"
          type="date"
          value={condition.value.slice(0, 10)}
          readOnly={readOnly}
          onChange={(event) => onChange({ ...condition, value: event.target.value ? `${event.target.value}T00:00:00Z` : "" })}
        />
      );
  }
}

function ConditionRow(props: { condition: Condition; root: Group; onChange(root: Group): void; problems: Problem[]; readOnly: boolean }) {
  const { condition, root, onChange, problems, readOnly } = props;
  const replace = (next: Condition) => onChange(replaceNode(root, condition.id, next));
  return (
    <div className="builder-row">
      <SelectField
        label="Criterion"
        value={condition.field}
        disabled={readOnly}
        onChange={(event) => replace({ ...newCondition(event.target.value as ConditionField), id: condition.id })}
        options={CONDITION_FIELDS.map((field) => ({ value: field.field, label: field.label }))}
      />
      <ConditionValueEditor condition={condition} onChange={replace} readOnly={readOnly} />
      {!readOnly && (
        <button type="button" className="secondary" onClick={() => onChange(removeNode(root, condition.id))}>
          Remove condition
        </button>
      )}
      <ProblemText nodeId={condition.id} problems={problems} />
    </div>
  );
}

function GroupEditor(props: BuilderProps & { group: Group; names: Map<string, string> }) {
  const { group, root, onChange, problems, readOnly, names } = props;
  const isRoot = group.id === root.id;
  // A new group here holds conditions two levels further down; the API allows MAX_DEPTH levels.
  const canNest = levelOf(root, group.id) + 2 <= MAX_DEPTH;
  return (
    <fieldset className="card builder-group">
      <legend>{names.get(group.id)}</legend>
      <div className="row">
        <SelectField
          label="Match"
          value={group.match}
          disabled={readOnly}
          onChange={(event) => onChange(replaceNode(root, group.id, { ...group, match: event.target.value as "all" | "any" }))}
          options={[
            { value: "all", label: "All of these (and)" },
            { value: "any", label: "Any of these (or)" },
          ]}
        />
      </div>
      {group.children.map((child) =>
        child.kind === "group" ? (
          <GroupEditor key={child.id} {...props} group={child} />
        ) : (
          <ConditionRow key={child.id} condition={child} root={root} onChange={onChange} problems={problems} readOnly={readOnly} />
        ),
      )}
      <ProblemText nodeId={group.id} problems={problems} />
      {!readOnly && (
        <div className="row" style={{ marginTop: "0.75rem" }}>
          <button type="button" className="secondary" onClick={() => onChange(addChild(root, group.id, newCondition("lifecycle_stage")))}>
            Add condition
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!canNest}
            title={canNest ? undefined : "Groups cannot nest any deeper"}
            onClick={() => onChange(addChild(root, group.id, newGroup(group.match === "all" ? "any" : "all", [newCondition("tags")])))}
          >
            Add group
          </button>
          {!isRoot && (
            <button type="button" className="secondary" onClick={() => onChange(removeNode(root, group.id))}>
              Remove group
            </button>
          )}
        </div>
      )}
    </fieldset>
  );
}

/** A visual editor of nested all/any groups of every condition the API supports. */
export function SegmentBuilder(props: BuilderProps) {
  return <GroupEditor {...props} group={props.root} names={groupNames(props.root)} />;
}
