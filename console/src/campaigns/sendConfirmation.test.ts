import { describe, expect, it } from "vitest";

import { sendConfirmation } from "./sendConfirmation";

const COST = { recipients: 1234, excluded: { unsubscribed: 10 }, members_read: 1244, per_recipient_usd: "0.0001", estimated_usd: "0.1234" };

describe("send confirmation", () => {
  it("says how many it goes to and what it costs, on the button too", () => {
    expect(sendConfirmation(COST)).toEqual({
      confirmLabel: "Send to 1,234 recipients",
      summary: "It goes to 1,234 recipients, for an estimated $0.1234.",
    });
    expect(sendConfirmation({ ...COST, recipients: 1, excluded: {}, members_read: 1 }).confirmLabel).toBe("Send to 1 recipient");
  });

  it("says 'about' when a large segment was counted from a sample", () => {
    const sampled = { ...COST, recipients: 45_000, excluded: { bounced: 5_000 }, members_read: 1000 };
    expect(sendConfirmation(sampled).confirmLabel).toBe("Send to about 45,000 recipients");
  });

  it("warns when no one can be sent to, and still says what the button does without an estimate", () => {
    expect(sendConfirmation({ ...COST, recipients: 0, excluded: {}, members_read: 0 }).summary).toMatch(/no email would go out/);
    expect(sendConfirmation(null).confirmLabel).toBe("Send to the segment");
  });
});
