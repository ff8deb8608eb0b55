import { describe, expect, it } from "vitest";

import { renderDraft, sampleContext } from "./mergeTags";

const context = sampleContext();

describe("renderDraft", () => {
  it("fills merge tags with the sample contact, escaped in HTML", () => {
    expect(renderDraft("<p>Hi {{ first_name }} from {{shop_name}}</p>", context, { html: true })).toBe("<p>Hi Ada from Example Shop</p>");
    expect(renderDraft("{{ first_name }}", { first_name: "<b>A&B</b>" }, { html: true })).toBe("&lt;b&gt;A&amp;B&lt;/b&gt;");
    expect(renderDraft("{{ first_name }}", { first_name: "<b>" }, { html: false })).toBe("<b>");
  });

  it("reads nested values and filters", () => {
    expect(renderDraft("{{ cart.url }} {{ cart.item_count }}", context, { html: false })).toBe("https://example.com/cart/c1 2");
    expect(renderDraft('{{ nickname | default("there") }} {{ first_name|upper }}', context, { html: false })).toBe("there ADA");
  });

  it("takes one branch of if/elif/else", () => {
    const source = "{% if order_count > 5 %}big{% elif cart %}cart{% else %}none{% endif %}!";
    expect(renderDraft(source, context, { html: false })).toBe("cart!");
    expect(renderDraft("{% if not cart %}no cart{% else %}has cart{% endif %}", context, { html: false })).toBe("has cart");
    expect(renderDraft("a{% if missing %}b{% if first_name %}c{% endif %}{% endif %}d", context, { html: false })).toBe("ad");
  });

  it("drops comments and tags it does not know", () => {
    expect(renderDraft("a{# note #}b{% set x = 1 %}c", context, { html: false })).toBe("abc");
  });
});
