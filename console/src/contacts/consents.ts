/** A contact's consent log in a marketer's words: what happened, how, and who acted. The words
 * for events and methods are Records keyed by the API's enums, so a value the API adds without
 * words here fails the type check. */

import type { ConsentEntry, ConsentEvent, ConsentMethod } from "../api/types";

export const EVENT_WORDS: Record<ConsentEvent, string> = {
  signup: "Signed up",
  subscribed: "Subscribed",
  confirmed: "Confirmed",
  unsubscribed: "Unsubscribed",
  preferences_changed: "Preferences changed",
};

/** How it was done, as the end of a sentence the event begins ("Unsubscribed" + "by staff"). */
export const METHOD_WORDS: Record<ConsentMethod, string> = {
  signup_form: "on the website form",
  customer_account: "in their customer account",
  shop_registration: "when registering with the shop",
  import: "by a contact import",
  staff: "by staff",
  confirmation_link: "by the link in the confirmation email",
  unsubscribe_page: "with the unsubscribe link in an email",
  one_click: "with the one-click link in their mail app",
  mailto: "by emailing the unsubscribe address",
  preference_centre: "in the preference centre",
  bounce: "the address bounced",
  complaint: "they marked an email as spam",
};

// Bounces and complaints are SES suppressing the address, not the person's choice: the log
// records them as unsubscribes, the page says what they are.
const SUPPRESSIONS: ReadonlySet<ConsentMethod> = new Set(["bounce", "complaint"]);

/** "Confirmed by the link in the confirmation email", "Suppressed: the address bounced". */
export function describeConsent({ event, method }: Pick<ConsentEntry, "event" | "method">): string {
  if (SUPPRESSIONS.has(method)) return `Suppressed: ${METHOD_WORDS[method]}`;
  return `${EVENT_WORDS[event]} ${METHOD_WORDS[method]}`;
}

const ACTORS: Record<string, string> = { subscriber: "The contact", shop: "The shop", ses: "Amazon SES" };
const ACTOR_KINDS: Record<string, string> = { customer: "Customer", staff: "Staff", import: "Import" };

/** Who acted: "subscriber" → "The contact", "staff:arn:…" → "Staff arn:…"; anything else as sent. */
export function describeActor(actor: string): string {
  const known = ACTORS[actor];
  if (known) return known;
  const colon = actor.indexOf(":");
  const kind = colon > 0 ? ACTOR_KINDS[actor.slice(0, colon)] : undefined;
  return kind ? `${kind} ${actor.slice(colon + 1)}` : actor;
}

/** What a preference change left the contact with ("Email types: promotional · Tracking
 * allowed"); null for other events, whose sentence says it all. */
export function describeChoices({ event, preferences, tracking_consent }: Pick<ConsentEntry, "event" | "preferences" | "tracking_consent">): string | null {
  if (event !== "preferences_changed") return null;
  const parts: string[] = [];
  if (preferences) {
    const chosen = Object.entries(preferences).filter(([, wanted]) => wanted).map(([type]) => type);
    parts.push(`Email types: ${chosen.join(", ") || "none"}`);
  }
  if (tracking_consent !== null && tracking_consent !== undefined) parts.push(tracking_consent ? "Tracking allowed" : "Tracking refused");
  return parts.length > 0 ? parts.join(" · ") : null;
}
