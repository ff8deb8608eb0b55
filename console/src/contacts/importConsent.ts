/** How the people in an import agreed to receive marketing email, as the import form asks it:
 * the API records it in each subscribed row's consent log. */

import type { ImportConsent } from "../api/types";

/** The form's inputs as typed; `collectedOn` is a date input's value (YYYY-MM-DD or ""). */
export interface ConsentInputs {
  method: string;
  source: string;
  collectedOn: string;
}

export const NO_CONSENT_INPUTS: ConsentInputs = { method: "", source: "", collectedOn: "" };

/** Offered in the method input; the marketer may type anything else. */
export const CONSENT_METHOD_SUGGESTIONS = ["Newsletter box at checkout", "Signup form on our website", "Paper form at an event"] as const;

/** The API's field for each input, so its reasons show beside them. */
export const CONSENT_FIELDS = ["consent.method", "consent.source", "consent.collected_on"] as const;

/** The import's `consent`, or undefined when no method is given: a source or date alone states
 * no consent, and the API wants none rather than an empty method. */
export function importConsent({ method, source, collectedOn }: ConsentInputs): ImportConsent | undefined {
  const how = method.trim();
  if (!how) return undefined;
  const consent: ImportConsent = { method: how };
  const where = source.trim();
  if (where) consent.source = where;
  if (collectedOn) consent.collected_on = collectedOn;
  return consent;
}
