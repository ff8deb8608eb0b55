/** What "Send now" asks before a whole campaign goes out: whom it reaches and what it costs. */

import type { CampaignCost } from "../api/types";
import { formatCount, formatUsd } from "../format";

export interface SendConfirmation {
  /** The confirm button's label, which says what it does: "Send to 1,234 recipients". */
  confirmLabel: string;
  summary: string;
}

/** From the campaign's cost estimate: the segment's members who can be sent to now. A large
 * segment is counted from a sample (fewer members read than counted), so its numbers are "about". */
export function sendConfirmation(cost: CampaignCost | null | undefined): SendConfirmation {
  if (!cost) {
    return { confirmLabel: "Send to the segment", summary: "It goes to every member of the segment who can be sent to." };
  }
  const counted = cost.recipients + Object.values(cost.excluded ?? {}).reduce((sum, n) => sum + n, 0);
  const about = cost.members_read != null && counted > cost.members_read ? "about " : "";
  if (cost.recipients === 0) {
    return { confirmLabel: "Send to 0 recipients", summary: "No member of the segment can be sent to now: no email would go out." };
  }
  const recipients = `${about}${formatCount(cost.recipients)} recipient${cost.recipients === 1 ? "" : "s"}`;
  return {
    confirmLabel: `Send to ${recipients}`,
    summary: `It goes to ${recipients}, for an estimated ${formatUsd(cost.estimated_usd)}.`,
  };
}
