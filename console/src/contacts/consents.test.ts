import { describe, expect, it } from "vitest";

import type { ConsentEvent, ConsentMethod } from "../api/types";
import { describeActor, describeChoices, describeConsent, EVENT_WORDS, METHOD_WORDS } from "./consents";

// Every value has words: the Records are keyed by the API's enums, so `tsc` refuses a missing one.
const EVENTS = Object.keys(EVENT_WORDS) as ConsentEvent[];
const METHODS = Object.keys(METHOD_WORDS) as ConsentMethod[];

describe("describeConsent", () => {
  it("says what happened and how, in words", () => {
    expect(describeConsent({ event: "signup", method: "signup_form" })).toBe("Signed up on the website form");
    expect(describeConsent({ event: "confirmed", method: "confirmation_link" })).toBe("Confirmed by the link in the confirmation email");
    expect(describeConsent({ event: "unsubscribed", method: "one_click" })).toBe("Unsubscribed with the one-click link in their mail app");
    expect(describeConsent({ event: "unsubscribed", method: "staff" })).toBe("Unsubscribed by staff");
    expect(describeConsent({ event: "subscribed", method: "import" })).toBe("Subscribed by a contact import");
  });

  it("calls a bounce or a complaint a suppression", () => {
    expect(describeConsent({ event: "unsubscribed", method: "bounce" })).toBe("Suppressed: the address bounced");
    expect(describeConsent({ event: "unsubscribed", method: "complaint" })).toBe("Suppressed: they marked an email as spam");
  });

  it("has a sentence for every event and method, with no API value left in it", () => {
    for (const event of EVENTS) {
      for (const method of METHODS) {
        const sentence = describeConsent({ event, method });
        expect(sentence).toMatch(/^[A-Z]/);
        expect(sentence).not.toMatch(/_|undefined/);
      }
    }
  });
});

describe("describeActor", () => {
  it("names who acted", () => {
    expect(describeActor("subscriber")).toBe("The contact");
    expect(describeActor("ses")).toBe("Amazon SES");
    expect(describeActor("customer:u-7")).toBe("Customer u-7");
    expect(describeActor("staff:arn:aws:iam::123456789012:assumed-role/Marketing/ann")).toBe("Staff arn:aws:iam::123456789012:assumed-role/Marketing/ann");
    expect(describeActor("import:imp_01")).toBe("Import imp_01");
  });

  it("shows an actor it does not know as it came", () => {
    expect(describeActor("robot:r2")).toBe("robot:r2");
  });
});

describe("describeChoices", () => {
  const preferences = { transactional: true, promotional: false, newsletter: true };

  it("lists the email types chosen and the tracking consent after a preference change", () => {
    expect(describeChoices({ event: "preferences_changed", preferences, tracking_consent: false })).toBe("Email types: transactional, newsletter · Tracking refused");
    expect(describeChoices({ event: "preferences_changed", preferences, tracking_consent: null })).toBe("Email types: transactional, newsletter");
  });

  it("says nothing for other events", () => {
    expect(describeChoices({ event: "subscribed", preferences, tracking_consent: true })).toBeNull();
  });
});
