"""The do-not-email list: addresses that asked not to be emailed, or that cannot be, kept after
their contact is erased as a keyed hash (audience/address_hashes.py) with why and since when:
no address, no name."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from marketing.audience.models.subscribers import OPTED_OUT, SubscriberStatus
from marketing.models import ApiModel


class DoNotEmailReason(StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    ERASED_ON_REQUEST = "erased_on_request"


# Weakest first: an entry only ever moves to a stronger reason, so erasing an address again (after
# an import brought it back as a contact, say) never turns a bounce into a mere erasure.
STRENGTH = (
    DoNotEmailReason.ERASED_ON_REQUEST,
    DoNotEmailReason.UNSUBSCRIBED,
    DoNotEmailReason.BOUNCED,
    DoNotEmailReason.COMPLAINED,
)
# Reasons its owner's confirmed (double) opt-in lifts; the others never lift:
# mail to a bouncing address or to someone who reported it as spam costs the sender's reputation.
LIFTED_BY_CONFIRMED_OPT_IN = frozenset({DoNotEmailReason.UNSUBSCRIBED, DoNotEmailReason.ERASED_ON_REQUEST})
# Suppressions rather than opt-outs: even transactional mail stays away from these (SPEC, Email).
NEVER_LIFTED = frozenset({DoNotEmailReason.BOUNCED, DoNotEmailReason.COMPLAINED})


def erasure_reason(status: SubscriberStatus | None) -> DoNotEmailReason:
    """Why an erased contact's address goes on the list: its subscriber's opt-out or suppression,
    else the erasure itself."""
    if status in OPTED_OUT:
        return DoNotEmailReason(status.value)
    return DoNotEmailReason.ERASED_ON_REQUEST


def stronger(first: DoNotEmailReason, second: DoNotEmailReason) -> DoNotEmailReason:
    return max(first, second, key=STRENGTH.index)


class DoNotEmailEntry(ApiModel):
    reason: DoNotEmailReason
    since: date = Field(description="The day the address went on the list for this reason (UTC)")

    def refusal(self) -> str:
        """Why the address may not be subscribed, in words its owner understands."""
        if self.reason in LIFTED_BY_CONFIRMED_OPT_IN:
            why = "was unsubscribed" if self.reason == DoNotEmailReason.UNSUBSCRIBED else "asked to be erased"
            return (
                f"this address {why} and is on the do-not-email list: only its owner can subscribe it again, "
                "by confirming a signup (double opt-in) through the link the signup emails them"
            )
        why = "bounced" if self.reason == DoNotEmailReason.BOUNCED else "was reported as spam"
        return f"mail to this address {why}, so it is on the do-not-email list: it cannot be subscribed again"
