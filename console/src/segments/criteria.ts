/** A dynamic segment's criteria as the builder edits them, and the API's criteria JSON, both ways.
 *
 * The API's tree (layers/shared/python/marketing/audience/models/segments.py): a node is a group,
 * {"all": [...]} or {"any": [...]}, or a conditions object whose every key must hold. The builder
 * shows one condition per row, so a conditions object with several keys becomes several rows of
 * an "all" group (or a nested "all" group inside an "any" group); the builder writes one key per
 * object. Both mean the same.
 */

import type { LifecycleStage } from "../api/types";

export const MAX_DEPTH = 5;
export const MAX_CHILDREN = 20;

export type Match = "all" | "any";

export type ConditionValue =
  | { field: "lifecycle_stage"; stages: LifecycleStage[] }
  | { field: "tags"; match: Match; tags: string[] }
  | { field: "min_order_count"; value: string }
  | { field: "min_ltv"; value: string }
  | { field: "subscribed"; value: boolean }
  | { field: "last_order_before"; value: string }
  | { field: "last_order_after"; value: string };

export type ConditionField = ConditionValue["field"];
export type Condition = { kind: "condition"; id: string } & ConditionValue;
export interface Group {
  kind: "group";
  id: string;
  match: Match;
  children: CriteriaNode[];
}
export type CriteriaNode = Group | Condition;

export type CriteriaJson = { all: CriteriaJson[] } | { any: CriteriaJson[] } | Record<string, unknown>;

export const CONDITION_FIELDS: readonly { field: ConditionField; label: string }[] = [
  { field: "lifecycle_stage", label: "Lifecycle stage" },
  { field: "tags", label: "Tags" },
  { field: "min_order_count", label: "At least this many orders" },
  { field: "min_ltv", label: "Lifetime value at least" },
  { field: "subscribed", label: "Subscription" },
  { field: "last_order_after", label: "Last order after" },
  { field: "last_order_before", label: "Last order before" },
];

let lastId = 0;
export function newId(): string {
  lastId += 1;
  return `n${lastId}`;
}

export function newGroup(match: Match = "all", children: CriteriaNode[] = []): Group {
  return { kind: "group", id: newId(), match, children };
}

export function newCondition(field: ConditionField): Condition {
  const id = newId();
  switch (field) {
    case "lifecycle_stage":
      return { kind: "condition", id, field, stages: ["customer"] };
    case "tags":
      return { kind: "condition", id, field, match: "any", tags: [] };
    case "subscribed":
      return { kind: "condition", id, field, value: true };
    case "min_order_count":
      return { kind: "condition", id, field, value: "1" };
    case "min_ltv":
      return { kind: "condition", id, field, value: "0.00" };
    case "last_order_before":
    case "last_order_after":
      return { kind: "condition", id, field, value: "" };
  }
}

// ---- JSON → builder ------------------------------------------------------------------------

export class CriteriaParseError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function groupOf(value: Record<string, unknown>): { match: Match; nodes: unknown[] } | null {
  if (Array.isArray(value.all)) return { match: "all", nodes: value.all };
  if (Array.isArray(value.any)) return { match: "any", nodes: value.any };
  return null;
}

function conditionFrom(key: string, value: unknown): Condition {
  const id = newId();
  switch (key) {
    case "lifecycle_stage": {
      const stages = (Array.isArray(value) ? value : [value]) as LifecycleStage[];
      return { kind: "condition", id, field: key, stages };
    }
    case "tags": {
      if (isRecord(value) && Array.isArray(value.any)) return { kind: "condition", id, field: key, match: "any", tags: value.any.map(String) };
      if (isRecord(value) && Array.isArray(value.all)) return { kind: "condition", id, field: key, match: "all", tags: value.all.map(String) };
      throw new CriteriaParseError('"tags" needs "any" or "all"');
    }
    case "min_order_count":
    case "min_ltv":
      return { kind: "condition", id, field: key, value: String(value) };
    case "subscribed":
      return { kind: "condition", id, field: key, value: Boolean(value) };
    case "last_order_before":
    case "last_order_after":
      return { kind: "condition", id, field: key, value: String(value) };
    default:
      throw new CriteriaParseError(`the builder does not know the condition "${key}"`);
  }
}

function conditionsFrom(value: Record<string, unknown>): Condition[] {
  return Object.entries(value)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([key, v]) => conditionFrom(key, v));
}

function nodesFrom(value: unknown, parent: Match): CriteriaNode[] {
  if (!isRecord(value)) throw new CriteriaParseError("a criteria node must be an object");
  const group = groupOf(value);
  if (group) return [newGroup(group.match, group.nodes.flatMap((node) => nodesFrom(node, group.match)))];
  const conditions = conditionsFrom(value);
  // Several keys in one object all must hold: rows of an "all" parent, else their own "all" group.
  return parent === "all" || conditions.length === 1 ? conditions : [newGroup("all", conditions)];
}

/** The builder's tree for criteria JSON; the root is always a group. */
export function fromCriteria(criteria: unknown): Group {
  if (criteria === null || criteria === undefined) return newGroup("all");
  if (!isRecord(criteria)) throw new CriteriaParseError("criteria must be an object");
  const group = groupOf(criteria);
  if (group) return newGroup(group.match, group.nodes.flatMap((node) => nodesFrom(node, group.match)));
  return newGroup("all", conditionsFrom(criteria));
}

// ---- builder → JSON ------------------------------------------------------------------------

export interface Problem {
  nodeId: string;
  message: string;
}

export function depthOf(node: CriteriaNode): number {
  if (node.kind === "condition") return 1;
  return 1 + Math.max(0, ...node.children.map(depthOf));
}

function conditionJson(condition: Condition, problems: Problem[]): Record<string, unknown> {
  const fail = (message: string) => problems.push({ nodeId: condition.id, message });
  switch (condition.field) {
    case "lifecycle_stage":
      if (condition.stages.length === 0) fail("Choose at least one stage.");
      return { lifecycle_stage: condition.stages.length === 1 ? condition.stages[0] : [...condition.stages] };
    case "tags": {
      const tags = condition.tags.map((tag) => tag.trim()).filter(Boolean);
      if (tags.length === 0) fail("Give at least one tag.");
      return { tags: { [condition.match]: tags } };
    }
    case "min_order_count": {
      const count = Number(condition.value);
      if (!/^\d+$/.test(condition.value.trim())) fail("Give a whole number of orders (0 or more).");
      return { min_order_count: Number.isFinite(count) ? count : condition.value };
    }
    case "min_ltv":
      if (!/^\d+(\.\d{1,2})?$/.test(condition.value.trim())) fail("Give an amount such as 50 or 49.99.");
      return { min_ltv: condition.value.trim() };
    case "subscribed":
      return { subscribed: condition.value };
    case "last_order_before":
    case "last_order_after":
      if (!condition.value || Number.isNaN(Date.parse(condition.value))) fail("Choose a date.");
      return { [condition.field]: condition.value };
  }
}

function nodeJson(node: CriteriaNode, problems: Problem[]): CriteriaJson {
  if (node.kind === "condition") return conditionJson(node, problems);
  if (node.children.length === 0) problems.push({ nodeId: node.id, message: "Add a condition or remove the group." });
  if (node.children.length > MAX_CHILDREN) problems.push({ nodeId: node.id, message: `A group holds at most ${MAX_CHILDREN} rows.` });
  const children = node.children.map((child) => nodeJson(child, problems));
  return node.match === "all" ? { all: children } : { any: children };
}

/** The criteria JSON of the builder's tree, and what must be fixed before the API would take it. */
export function toCriteria(root: Group): { criteria: CriteriaJson; problems: Problem[] } {
  const problems: Problem[] = [];
  const criteria = nodeJson(root, problems);
  if (depthOf(root) > MAX_DEPTH) problems.push({ nodeId: root.id, message: `Groups may nest at most ${MAX_DEPTH - 1} deep.` });
  return { criteria, problems };
}

// ---- edits (immutable) ---------------------------------------------------------------------

function mapNode(node: CriteriaNode, id: string, change: (node: CriteriaNode) => CriteriaNode | null): CriteriaNode | null {
  if (node.id === id) return change(node);
  if (node.kind === "condition") return node;
  const children = node.children
    .map((child) => mapNode(child, id, change))
    .filter((child): child is CriteriaNode => child !== null);
  return { ...node, children };
}

export function replaceNode(root: Group, id: string, replacement: CriteriaNode): Group {
  return mapNode(root, id, () => replacement) as Group;
}

export function removeNode(root: Group, id: string): Group {
  if (root.id === id) return root; // the root group stays
  return mapNode(root, id, () => null) as Group;
}

export function addChild(root: Group, groupId: string, child: CriteriaNode): Group {
  return mapNode(root, groupId, (node) => (node.kind === "group" ? { ...node, children: [...node.children, child] } : node)) as Group;
}

/** How deep `id` sits (the root is 1), or 0 if it is not in the tree. */
export function levelOf(root: CriteriaNode, id: string, level = 1): number {
  if (root.id === id) return level;
  if (root.kind === "condition") return 0;
  for (const child of root.children) {
    const found = levelOf(child, id, level + 1);
    if (found) return found;
  }
  return 0;
}

/** A short sentence for a list: "lifecycle stage is customer and …". */
export function describeCriteria(criteria: unknown): string {
  try {
    return describeNode(fromCriteria(criteria), true);
  } catch {
    return "custom criteria";
  }
}

function describeNode(node: CriteriaNode, root = false): string {
  if (node.kind === "group") {
    const parts = node.children.map((child) => describeNode(child));
    if (parts.length === 0) return "everyone";
    const joined = parts.join(node.match === "all" ? " and " : " or ");
    return root || parts.length === 1 ? joined : `(${joined})`;
  }
  switch (node.field) {
    case "lifecycle_stage":
      return `stage is ${node.stages.join(" or ").replace(/_/g, " ")}`;
    case "tags":
      return `tagged ${node.match === "any" ? "any of" : "all of"} ${node.tags.join(", ")}`;
    case "min_order_count":
      return `${node.value}+ orders`;
    case "min_ltv":
      return `lifetime value ≥ ${node.value}`;
    case "subscribed":
      return node.value ? "subscribed" : "not subscribed";
    case "last_order_before":
      return `last order before ${node.value.slice(0, 10)}`;
    case "last_order_after":
      return `last order after ${node.value.slice(0, 10)}`;
  }
}
