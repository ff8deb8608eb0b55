"""Who may get an email of a given category (SPEC, Email): never a bounced or complained address;
for marketing mail also never an address that is not subscribed or opted out of that type.
Transactional mail ignores marketing opt-outs, never suppression.

A template's category is a label the marketer picks, so it never decides on its own that mail is
transactional: campaigns and automations are marketing whatever their template says
(`as_marketing`), and only the platform's own transactional mail (a gift card's email) is sent as
transactional.

Marketing sends also check the do-not-email list as a last line (`marketing_suppression`): the
subscription rules keep an erased address from being subscribed again, but a contact whose
address was changed to one on the list, or a race with an erasure, would still be mailed.
"""

from __future__ import annotations

from collections.abc import Mapping

from marketing.audience.models.contacts import Contact
from marketing.audience.models.do_not_email import NEVER_LIFTED
from marketing.audience.models.subscribers import Subscriber, SubscriberStatus
from marketing.audience.services import do_not_email
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.campaigns.models.recipients import SuppressionReason
from marketing.email.models.templates import TemplateCategory

# The preference that governs each category; automation emails are promotional mail.
PREFERENCE_OF = {
    TemplateCategory.PROMOTIONAL: "promotional",
    TemplateCategory.NEWSLETTER: "newsletter",
    TemplateCategory.AUTOMATION: "promotional",
}


def as_marketing(category: TemplateCategory) -> TemplateCategory:
    """The category a marketing send is suppressed as: a template labelled transactional counts
    as promotional mail there."""
    return TemplateCategory.PROMOTIONAL if category == TemplateCategory.TRANSACTIONAL else category


def suppression_reason(subscriber: Subscriber | None, category: TemplateCategory) -> SuppressionReason | None:
    """Why this subscriber must not get mail of `category`, or None if it may."""
    if subscriber is not None and subscriber.status == SubscriberStatus.BOUNCED:
        return SuppressionReason.BOUNCED
    if subscriber is not None and subscriber.status == SubscriberStatus.COMPLAINED:
        return SuppressionReason.COMPLAINED
    if category == TemplateCategory.TRANSACTIONAL:
        return None
    if subscriber is None:
        return SuppressionReason.NOT_SUBSCRIBED
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return SuppressionReason.UNSUBSCRIBED
    if not getattr(subscriber.preferences, PREFERENCE_OF[category]):
        return SuppressionReason.OPTED_OUT
    return None


def marketing_suppression(
    contacts: Mapping[str, Contact], subscribers: Mapping[str, Subscriber], category: TemplateCategory
) -> dict[str, SuppressionReason | None]:
    """Why each contact (by id) must not get a marketing email of `category`, or None if it may:
    its subscription, then the do-not-email list for those it would let through (one batch read
    of their hashes; the list is not read for contacts already suppressed)."""
    reasons = {
        contact_id: suppression_reason(subscribers.get(contact_id), as_marketing(category)) for contact_id in contacts
    }
    sendable = {contact_id: contacts[contact_id].email for contact_id, reason in reasons.items() if reason is None}
    for contact_id in do_not_email.listed(sendable):
        reasons[contact_id] = SuppressionReason.DO_NOT_EMAIL
    return reasons


def transactional_suppression(address: str) -> str | None:
    """Why `address` must not get even transactional mail (a gift card, a double opt-in email):
    bounced or complained, as its subscriber says, or as the do-not-email list says for an erased
    contact's; None if it may. Its other reasons are opt-outs, which transactional mail ignores."""
    contact = contact_store.find_by_email(address)
    subscriber = subscriber_store.find(subscriber_store.subscriber_id(contact.id)) if contact is not None else None
    reason = suppression_reason(subscriber, TemplateCategory.TRANSACTIONAL)
    if reason is not None:
        return reason.value
    entry = do_not_email.entry_of(address)
    return entry.reason.value if entry is not None and entry.reason in NEVER_LIFTED else None
