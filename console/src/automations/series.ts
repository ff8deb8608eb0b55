/** An automation's emails as the editor holds them (inputs are strings) and as the API takes them. */

import type { AutomationEmail } from "../api/types";

export interface EmailStep {
  key: string;
  delay_hours: string;
  template_id: string;
  subject: string;
}

let lastKey = 0;
export function newStep(partial: Partial<EmailStep> = {}): EmailStep {
  lastKey += 1;
  return { key: `s${lastKey}`, delay_hours: "0", template_id: "", subject: "", ...partial };
}

export function stepsOf(emails: readonly AutomationEmail[]): EmailStep[] {
  return [...emails]
    .sort((a, b) => a.order - b.order)
    .map((email) => newStep({ delay_hours: String(email.delay_hours), template_id: email.template_id, subject: email.subject ?? "" }));
}

/** A delay field's hours, or null when it holds none: a blank field is not 0 (Number("") is). */
export function parseDelay(text: string): number | null {
  if (!text.trim()) return null;
  const hours = Number(text);
  return Number.isFinite(hours) ? hours : null;
}

/** The delay fields that hold no number, by the field's name ("emails.0.delay_hours"), with what
 * to do about it. Range and whole hours are the API's to check. */
export function delayProblems(steps: readonly EmailStep[]): Record<string, string> {
  const problems: Record<string, string> = {};
  steps.forEach((step, index) => {
    if (parseDelay(step.delay_hours) === null) {
      problems[`emails.${index}.delay_hours`] = `Enter a delay in hours; 0 sends ${describeDelay(0, index === 0)}`;
    }
  });
  return problems;
}

/** The API's emails: numbered 1..n in the order shown (the API wants no gaps). Check
 * delayProblems first: a delay that is not a number is refused here. */
export function emailsOf(steps: readonly EmailStep[]): AutomationEmail[] {
  return steps.map((step, index) => ({
    order: index + 1,
    delay_hours: delayOf(step, index),
    template_id: step.template_id,
    subject: step.subject.trim() ? step.subject.trim() : null,
  }));
}

function delayOf(step: EmailStep, index: number): number {
  const hours = parseDelay(step.delay_hours);
  if (hours === null) throw new Error(`Email ${index + 1} has no delay.`);
  return hours;
}

/** Whether two series say the same (their keys, which only React uses, aside). */
export function sameSteps(a: readonly EmailStep[], b: readonly EmailStep[]): boolean {
  return a.length === b.length && a.every((step, i) => step.delay_hours === b[i]!.delay_hours && step.template_id === b[i]!.template_id && step.subject === b[i]!.subject);
}

export function moveStep(steps: readonly EmailStep[], index: number, by: -1 | 1): EmailStep[] {
  const target = index + by;
  if (target < 0 || target >= steps.length) return [...steps];
  const moved = [...steps];
  [moved[index], moved[target]] = [moved[target]!, moved[index]!];
  return moved;
}

/** "2 days 3 hours after the previous email" */
export function describeDelay(hours: number, first: boolean): string {
  const after = first ? "after the trigger" : "after the previous email";
  if (hours === 0) return first ? "right after the trigger" : "right after the previous email";
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const parts = [days ? `${days} day${days === 1 ? "" : "s"}` : "", rest ? `${rest} hour${rest === 1 ? "" : "s"}` : ""].filter(Boolean);
  return `${parts.join(" ")} ${after}`;
}
