import { describe, expect, it } from "vitest";

import { countCsvRows } from "./csv";

describe("countCsvRows", () => {
  it("counts data rows, not the header or blank lines", () => {
    expect(countCsvRows("email,first_name\na@x.com,Ada\nb@x.com,Bo\n\n")).toBe(2);
    expect(countCsvRows("email\r\na@x.com\r\nb@x.com")).toBe(2);
  });

  it("keeps quoted newlines inside their row", () => {
    expect(countCsvRows('email,note\na@x.com,"two\nlines"\nb@x.com,"say ""hi"""\n')).toBe(2);
  });

  it("has no rows for an empty file or a header alone", () => {
    expect(countCsvRows("")).toBe(0);
    expect(countCsvRows("email\n")).toBe(0);
  });
});
