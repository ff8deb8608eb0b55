import { describe, expect, it } from "vitest";

import { describeDelay, emailsOf, moveStep, stepsOf } from "./series";

describe("automation series", () => {
  it("numbers the emails in the order shown, whatever order they came in", () => {
    const steps = stepsOf([
      { order: 2, delay_hours: 48, template_id: "tpl2", subject: null },
      { order: 1, delay_hours: 0, template_id: "tpl1", subject: "Welcome {{ first_name }}" },
    ]);
    expect(emailsOf(moveStep(steps, 0, 1))).toEqual([
      { order: 1, delay_hours: 48, template_id: "tpl2", subject: null },
      { order: 2, delay_hours: 0, template_id: "tpl1", subject: "Welcome {{ first_name }}" },
    ]);
  });

  it("does not move past the ends", () => {
    const steps = stepsOf([{ order: 1, delay_hours: 0, template_id: "tpl1" }]);
    expect(moveStep(steps, 0, -1)).toEqual(steps);
  });

  it("says delays in days and hours", () => {
    expect(describeDelay(0, true)).toBe("right after the trigger");
    expect(describeDelay(51, false)).toBe("2 days 3 hours after the previous email");
    expect(describeDelay(1, true)).toBe("1 hour after the trigger");
  });
});
