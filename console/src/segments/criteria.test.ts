import { describe, expect, it } from "vitest";

import {
  addChild,
  depthOf,
  describeCriteria,
  fromCriteria,
  levelOf,
  newCondition,
  newGroup,
  removeNode,
  toCriteria,
  type CriteriaNode,
} from "./criteria";

/** The tree without its generated ids, to compare shapes. */
function shape(node: CriteriaNode): unknown {
  const { id: _id, ...rest } = node;
  if (rest.kind === "group") return { ...rest, children: rest.children.map(shape) };
  return rest;
}

const EVERY_CONDITION = {
  all: [
    { lifecycle_stage: "customer" },
    { lifecycle_stage: ["vip", "repeat_customer"] },
    { tags: { any: ["vip", "newsletter"] } },
    { tags: { all: ["summer"] } },
    { min_order_count: 2 },
    { min_ltv: "49.99" },
    { subscribed: true },
    { subscribed: false },
    { last_order_before: "2024-06-01T00:00:00Z" },
    { last_order_after: "2024-01-01T00:00:00+00:00" },
  ],
};

describe("criteria JSON → builder → JSON", () => {
  it("keeps every condition the API supports", () => {
    const { criteria, problems } = toCriteria(fromCriteria(EVERY_CONDITION));
    expect(problems).toEqual([]);
    expect(criteria).toEqual(EVERY_CONDITION);
  });

  it("keeps nested all/any groups", () => {
    const nested = {
      all: [
        { min_order_count: 1 },
        { any: [{ tags: { any: ["vip"] } }, { lifecycle_stage: "customer" }, { all: [{ subscribed: true }, { min_ltv: "10.00" }] }] },
      ],
    };
    expect(toCriteria(fromCriteria(nested)).criteria).toEqual(nested);
  });

  it("reads a bare conditions object as an all group of one row per key", () => {
    const tree = fromCriteria({ lifecycle_stage: "lead", min_order_count: 0 });
    expect(shape(tree)).toEqual({
      kind: "group",
      match: "all",
      children: [
        { kind: "condition", field: "lifecycle_stage", stages: ["lead"] },
        { kind: "condition", field: "min_order_count", value: "0" },
      ],
    });
    expect(toCriteria(tree).criteria).toEqual({ all: [{ lifecycle_stage: "lead" }, { min_order_count: 0 }] });
  });

  it("keeps a several-key conditions object inside an any group as its own all group", () => {
    const tree = fromCriteria({ any: [{ subscribed: true, min_order_count: 3 }, { tags: { any: ["vip"] } }] });
    expect(toCriteria(tree).criteria).toEqual({
      any: [{ all: [{ subscribed: true }, { min_order_count: 3 }] }, { tags: { any: ["vip"] } }],
    });
  });

  it("skips keys the API sent as null", () => {
    expect(toCriteria(fromCriteria({ lifecycle_stage: "vip", tags: null })).criteria).toEqual({ all: [{ lifecycle_stage: "vip" }] });
  });

  it("refuses a condition it does not know", () => {
    expect(() => fromCriteria({ favourite_colour: "blue" })).toThrow(/favourite_colour/);
  });

  it("starts an empty builder for no criteria", () => {
    expect(shape(fromCriteria(null))).toEqual({ kind: "group", match: "all", children: [] });
  });
});

describe("builder → JSON → builder", () => {
  it("gives back the same tree", () => {
    let root = newGroup("any");
    const inner = newGroup("all", [newCondition("min_ltv"), newCondition("subscribed")]);
    root = addChild(root, root.id, newCondition("lifecycle_stage"));
    root = addChild(root, root.id, inner);
    const tags = newCondition("tags");
    if (tags.field === "tags") tags.tags = ["vip"];
    root = addChild(root, inner.id, tags);
    const { criteria, problems } = toCriteria(root);
    expect(problems).toEqual([]);
    expect(shape(fromCriteria(criteria))).toEqual(shape(root));
  });
});

describe("problems before saving", () => {
  it("names the row that needs fixing", () => {
    const emptyTags = newCondition("tags");
    const badCount = { ...newCondition("min_order_count"), value: "two" } as CriteriaNode;
    const badAmount = { ...newCondition("min_ltv"), value: "1.234" } as CriteriaNode;
    const noDate = newCondition("last_order_after");
    const emptyGroup = newGroup("any");
    const root = newGroup("all", [emptyTags, badCount, badAmount, noDate, emptyGroup]);
    const ids = toCriteria(root).problems.map((problem) => problem.nodeId);
    expect(ids).toEqual([emptyTags.id, badCount.id, badAmount.id, noDate.id, emptyGroup.id]);
  });

  it("refuses nesting deeper than the API's limit", () => {
    const deep = newGroup("all", [newGroup("any", [newGroup("all", [newGroup("any", [newGroup("all", [newCondition("subscribed")])])])])]);
    expect(depthOf(deep)).toBe(6);
    expect(toCriteria(deep).problems.map((p) => p.nodeId)).toEqual([deep.id]);
  });
});

describe("edits", () => {
  it("adds, finds and removes nodes without touching the original", () => {
    const root = newGroup("all");
    const group = newGroup("any");
    const condition = newCondition("subscribed");
    const withGroup = addChild(root, root.id, group);
    const withCondition = addChild(withGroup, group.id, condition);
    expect(root.children).toEqual([]);
    expect(levelOf(withCondition, condition.id)).toBe(3);
    expect(removeNode(withCondition, group.id).children).toEqual([]);
    expect(removeNode(withCondition, root.id)).toBe(withCondition);
  });

  it("describes criteria in words", () => {
    expect(describeCriteria({ all: [{ min_order_count: 1 }, { any: [{ tags: { any: ["vip"] } }, { lifecycle_stage: "repeat_customer" }] }] })).toBe(
      "1+ orders and (tagged any of vip or stage is repeat customer)",
    );
  });
});
