import { describe, expect, it } from "vitest";

import { delayProblems, describeDelay, emailsOf, moveStep, newStep, parseDelay, sameSteps, stepsOf } from "./series";

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

  it("takes a blank delay for no delay, not for 0", () => {
    expect(parseDelay("")).toBeNull();
    expect(parseDelay("  ")).toBeNull();
    expect(parseDelay("abc")).toBeNull();
    expect(parseDelay("0")).toBe(0);
    expect(parseDelay("48")).toBe(48);
  });

  it("marks blank delays beside their fields, saying what 0 would do", () => {
    const steps = [newStep({ delay_hours: "" }), newStep({ delay_hours: "0" }), newStep({ delay_hours: " " })];
    expect(delayProblems(steps)).toEqual({
      "emails.0.delay_hours": "Enter a delay in hours; 0 sends right after the trigger",
      "emails.2.delay_hours": "Enter a delay in hours; 0 sends right after the previous email",
    });
    expect(delayProblems([newStep({ delay_hours: "0" }), newStep({ delay_hours: "24" })])).toEqual({});
  });

  it("never sends a blank delay as 0", () => {
    expect(() => emailsOf([newStep({ delay_hours: "", template_id: "tpl1" })])).toThrow();
  });

  it("compares series by what they say, not by their keys", () => {
    const saved = stepsOf([{ order: 1, delay_hours: 0, template_id: "tpl1" }]);
    expect(sameSteps(saved, stepsOf([{ order: 1, delay_hours: 0, template_id: "tpl1" }]))).toBe(true);
    expect(sameSteps(saved, [{ ...saved[0]!, delay_hours: "" }])).toBe(false);
    expect(sameSteps(saved, [...saved, newStep()])).toBe(false);
  });
});
