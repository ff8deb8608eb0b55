/** The merge tags a template can use, and a draft preview in the browser.
 *
 * MERGE_TAGS mirrors SAMPLE_CONTEXT in layers/shared/python/marketing/email/services/rendering.py:
 * the values the API previews with and validates every template against on save.
 *
 * The API previews only saved templates (POST /templates/{id}/preview/), so while a marketer types,
 * renderDraft fills the merge tags here: {{ name }}, {{ cart.url }}, filters such as
 * `| default("there")`, `| upper`, and {% if %}/{% elif %}/{% else %}/{% endif %}. Other Jinja tags
 * are dropped. It is a preview aid only; the saved template is rendered by the API's Jinja2 sandbox.
 */

export interface MergeTag {
  name: string;
  description: string;
  sample: string | number;
}

export const MERGE_TAGS: readonly MergeTag[] = [
  { name: "first_name", description: "Contact's first name", sample: "Ada" },
  { name: "last_name", description: "Contact's last name", sample: "Lovelace" },
  { name: "email", description: "Contact's email address", sample: "ada@example.com" },
  { name: "lifecycle_stage", description: "lead, customer, repeat_customer, vip, churned", sample: "customer" },
  { name: "order_count", description: "Orders placed", sample: 3 },
  { name: "lifetime_value", description: "Total spent, e.g. 123.45", sample: "123.45" },
  { name: "shop_name", description: "The shop's name", sample: "Example Shop" },
  { name: "unsubscribe_url", description: "One-click unsubscribe link", sample: "https://example.com/unsubscribe" },
  { name: "preferences_url", description: "Preference centre link", sample: "https://example.com/preferences" },
  { name: "cart.url", description: "Abandoned-cart emails: link back to the cart", sample: "https://example.com/cart/c1" },
  { name: "cart.total", description: "Abandoned-cart emails: the cart's total", sample: "54.00" },
  { name: "cart.item_count", description: "Abandoned-cart emails: items in the cart", sample: 2 },
];

export type Context = Record<string, unknown>;

export function sampleContext(): Context {
  const context: Context = {};
  for (const tag of MERGE_TAGS) {
    const [head, tail] = tag.name.split(".") as [string, string | undefined];
    if (tail) context[head] = { ...((context[head] as Context | undefined) ?? {}), [tail]: tag.sample };
    else context[head] = tag.sample;
  }
  return context;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function lookup(context: Context, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Context)[part];
  }
  return value;
}

function literal(source: string): { value: unknown } | null {
  const text = source.trim();
  const quoted = /^(["'])(.*)\1$/s.exec(text);
  if (quoted) return { value: quoted[2] };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { value: Number(text) };
  return null;
}

function applyFilter(value: unknown, filter: string): unknown {
  const call = /^(\w+)\s*(?:\((.*)\))?$/s.exec(filter.trim());
  if (!call) return value;
  const [, name, args = ""] = call;
  const text = value === undefined || value === null ? "" : String(value);
  switch (name) {
    case "default":
    case "d":
      return value === undefined || value === null || (args.includes("true") && !value) ? literal(args.split(",")[0] ?? "")?.value : value;
    case "upper":
      return text.toUpperCase();
    case "lower":
      return text.toLowerCase();
    case "title":
      return text.replace(/\w\S*/g, (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase());
    case "capitalize":
      return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
    case "trim":
      return text.trim();
    default:
      return value; // e, escape, safe and the rest: the value itself is close enough for a preview
  }
}

function evaluate(expression: string, context: Context): unknown {
  const [head = "", ...filters] = expression.split("|");
  const constant = literal(head);
  let value = constant ? constant.value : lookup(context, head.trim());
  for (const filter of filters) value = applyFilter(value, filter);
  return value;
}

function truthy(expression: string, context: Context): boolean {
  const negated = /^not\s+(.*)$/s.exec(expression.trim());
  if (negated) return !truthy(negated[1] ?? "", context);
  const value = evaluate(expression, context);
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}

const TOKEN = /\{\{(.*?)\}\}|\{%-?\s*(.*?)\s*-?%\}|\{#.*?#\}/gs;

/** The draft with its merge tags filled from `context` (HTML-escaped when `html`). */
export function renderDraft(source: string, context: Context, { html }: { html: boolean }): string {
  let output = "";
  // One frame per open {% if %}: whether its taken branch is being written, whether one was taken.
  const frames: { writing: boolean; taken: boolean }[] = [];
  const writing = () => frames.every((frame) => frame.writing);
  let last = 0;
  for (const match of source.matchAll(TOKEN)) {
    if (writing()) output += source.slice(last, match.index);
    last = (match.index ?? 0) + match[0].length;
    const [, expression, tag] = match;
    if (expression !== undefined) {
      if (!writing()) continue;
      const value = evaluate(expression, context);
      const text = value === undefined || value === null ? "" : String(value);
      output += html ? escapeHtml(text) : text;
      continue;
    }
    if (tag === undefined) continue; // a comment
    const [keyword = "", ...rest] = tag.split(/\s+/);
    const condition = rest.join(" ");
    const frame = frames[frames.length - 1];
    if (keyword === "if") {
      const taken = truthy(condition, context);
      frames.push({ writing: taken, taken });
    } else if (keyword === "elif" && frame) {
      frame.writing = !frame.taken && truthy(condition, context);
      frame.taken ||= frame.writing;
    } else if (keyword === "else" && frame) {
      frame.writing = !frame.taken;
      frame.taken = true;
    } else if (keyword === "endif") {
      frames.pop();
    }
  }
  if (writing()) output += source.slice(last);
  return output;
}
