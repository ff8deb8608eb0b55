import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { DataTable, type Column } from "./DataTable";

const row = createElement("tr", null, createElement("td", null, "x"));
const render = (props: { columns: Column[]; caption?: string; card?: boolean; tableClassName?: string }) => renderToStaticMarkup(createElement(DataTable, { ...props, children: row }));

describe("DataTable", () => {
  it("heads each column, numeric ones right-aligned, and puts the rows in the body", () => {
    expect(render({ columns: ["Name", { label: "Sent", numeric: true }] })).toBe(
      '<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col" class="num">Sent</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table></div>',
    );
  });

  it("adds a caption, a card around it, and a class on the table when asked", () => {
    expect(render({ columns: ["Header"], caption: "Transactions", card: true, tableClassName: "headers-table" })).toBe(
      '<div class="table-wrap card" style="padding:0"><table class="headers-table"><caption>Transactions</caption><thead><tr><th scope="col">Header</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table></div>',
    );
  });
});
