import { describe, expect, it } from "vitest";

import { ApiError, describeError, splitFieldErrors } from "./errors";

const validation = ApiError.from(400, {
  error: {
    code: "validation_error",
    message: "html_content: template syntax error on line 3: unexpected '}'",
    details: [
      { field: "html_content", reason: "template syntax error on line 3: unexpected '}'" },
      { field: "emails.0.template_id", reason: "no such template" },
      { field: "subject", reason: "too long" },
      { field: "subject", reason: "has a newline" },
      { field: "body", reason: "invalid JSON" },
      { field: "criteria.all.0.min_ltv", reason: "not a number" },
    ],
  },
});

describe("splitFieldErrors", () => {
  it("puts each reason beside the field the form shows, the rest in the alert", () => {
    const { byField, other } = splitFieldErrors(validation, ["html_content", "subject", "emails.0", "name"]);
    expect(byField).toEqual({
      html_content: "template syntax error on line 3: unexpected '}'",
      "emails.0": "no such template",
      subject: "too long; has a newline",
    });
    expect(other).toEqual(["invalid JSON", "criteria.all.0.min_ltv: not a number"]);
  });

  it("falls back to the nearest shown parent field", () => {
    expect(splitFieldErrors(validation, ["emails", "criteria"]).byField).toMatchObject({
      emails: "no such template",
      criteria: "not a number",
    });
  });

  it("has nothing for errors that are not the API's", () => {
    expect(splitFieldErrors(new Error("boom"), ["name"])).toEqual({ byField: {}, other: [] });
  });
});

describe("ApiError.from", () => {
  it("reads the API's error body", () => {
    const error = ApiError.from(409, { error: { code: "conflict", message: "already sending", details: [] } });
    expect([error.status, error.code, error.message]).toEqual([409, "conflict", "already sending"]);
  });

  it("reads API Gateway's own refusal", () => {
    const error = ApiError.from(403, { message: "The security token included in the request is invalid." });
    expect([error.code, error.message]).toEqual(["gateway", "The security token included in the request is invalid."]);
  });

  it("copes with no body", () => {
    expect(ApiError.from(502, undefined).message).toBe("Request failed (502)");
  });
});

describe("describeError", () => {
  const forbidden = ApiError.from(403, { error: { code: "forbidden", message: "the marketing analyst role may not POST /campaigns/{campaign_id}/send/", details: [] } });

  it("tells an analyst plainly", () => {
    expect(describeError(forbidden, "analyst")).toBe("Your role (analyst) can't do this.");
  });

  it("keeps the API's reason for other refusals", () => {
    expect(describeError(forbidden, "manager")).toMatch(/^Not allowed: /);
    expect(describeError(ApiError.from(422, { error: { code: "business_rule", message: "the segment is empty", details: [] } }), "manager")).toBe(
      "the segment is empty",
    );
  });

  it("says when the API could not be reached", () => {
    expect(describeError(new TypeError("Failed to fetch"), "manager")).toMatch(/could not be reached/);
  });
});
