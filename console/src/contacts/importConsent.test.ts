import { describe, expect, it } from "vitest";

import { importConsent, NO_CONSENT_INPUTS } from "./importConsent";

describe("importConsent", () => {
  it("states no consent without a method, even with a source or date", () => {
    expect(importConsent(NO_CONSENT_INPUTS)).toBeUndefined();
    expect(importConsent({ method: "   ", source: "Spring fair", collectedOn: "2026-04-12" })).toBeUndefined();
  });

  it("sends the method trimmed, and the source and date only when given", () => {
    expect(importConsent({ method: "  Paper form at an event ", source: " ", collectedOn: "" })).toEqual({ method: "Paper form at an event" });
    expect(importConsent({ method: "Paper form at an event", source: " Spring fair ", collectedOn: "2026-04-12" })).toEqual({
      method: "Paper form at an event",
      source: "Spring fair",
      collected_on: "2026-04-12",
    });
  });
});
