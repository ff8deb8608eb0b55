"""Everything the platform holds about one contact: the export a contact may ask for, and erasure
(DELETE contacts/{id}/). Apart from contact rules (services/contacts) because both reach into every
store that keeps a contact's data, which the functions handling events need not load."""

from __future__ import annotations

from typing import Any

from marketing import clock, pagination
from marketing.audience.models.consents import ConsentPage
from marketing.audience.models.contact_export import ContactExport, ContactGiftCard
from marketing.audience.services import do_not_email
from marketing.audience.store import consents as consent_store
from marketing.audience.store import contacts as store
from marketing.audience.store import do_not_email as do_not_email_store
from marketing.audience.store import orders as order_store
from marketing.audience.store import segments as segment_store
from marketing.audience.store import signups as signup_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.automations.services import automation_runs
from marketing.automations.store import carts as cart_store
from marketing.campaigns.store import recipients as recipient_store
from marketing.growth.store import gift_cards as gift_card_store
from marketing.growth.store import loyalty as loyalty_store
from marketing.growth.store import referrals as referral_store
from marketing.store.conditions import Transaction


def erase(contact_id: str) -> None:
    """Erasure: every record that holds the contact's data goes, the contact (and its address
    claim) and its subscriber last, so a failure part-way leaves it findable for a retry. Each step
    is idempotent; an unknown contact is a NotFound at once. Counted orders stay, naming no one, so
    a redelivered order event still counts once. The loyalty account and the referral code and
    applied referral of the contact's shop account (user id) go too, and its consent log, and the
    address's signups, whose links would otherwise subscribe it again. Gift cards addressed to the
    address keep their money and code but lose the address, the names and the message (a card
    whose email was still to go is never sent). What stays is the address's
    do-not-email entry, a keyed hash with the reason (services/do_not_email), written in the same
    transaction that deletes the contact and its subscriber."""
    contact = store.get(contact_id)
    subscriber_id = subscriber_store.subscriber_id(contact_id)
    subscriber = subscriber_store.find(subscriber_id)
    status = subscriber.status if subscriber is not None else None
    listings = do_not_email.listings_for(contact.email, status)
    user_id = contact.user_id
    order_store.forget_contact(contact_id)
    consent_store.forget_contact(contact_id)
    recipient_store.forget_contact(contact_id)
    automation_runs.forget_contact(contact_id)
    cart_store.forget_contact(contact_id)
    signup_store.forget_address(contact.email)  # a confirmed opt-in would lift the do-not-email entry
    gift_card_store.forget_recipient(contact.email)
    segment_store.forget_contact(contact_id, clock.utcnow())
    if user_id:
        loyalty_store.forget_user(user_id)
        referral_store.forget_user(user_id)

    def keep_do_not_email(tx: Transaction) -> None:
        subscriber_store.forget(tx, subscriber_id, status)
        do_not_email_store.add(tx, listings)

    store.delete(contact_id, also=keep_do_not_email)


def export(contact_id: str) -> ContactExport:
    contact = store.get(contact_id)
    return ContactExport(
        contact=contact,
        subscriber=subscriber_store.find(subscriber_store.subscriber_id(contact_id)),
        consents=consent_store.of_contact(contact_id),
        do_not_email=do_not_email.entry_of(contact.email),
        orders=order_store.for_contact(contact_id),
        segment_ids=segment_store.segments_of(contact_id),
        campaign_emails=[item.to_domain() for item in recipient_store.for_contact(contact_id)],
        automation_executions=[run.as_execution() for run in automation_runs.executions_of(contact_id)],
        carts=cart_store.of_contact(contact_id),
        gift_cards=[
            ContactGiftCard(**card.model_dump(), **greeting._asdict())
            for card, greeting in gift_card_store.addressed_to(contact.email)
        ],
        **_growth_of(contact.user_id),
    )


def consent_log(contact_id: str, limit: int | None, cursor: str | None) -> ConsentPage:
    """A page of the contact's consent log, newest first (NotFound for an unknown contact)."""
    store.get(contact_id)
    start_key = pagination.decode_cursor(cursor, "consent-log", contact=contact_id)
    items, last_key = consent_store.page(contact_id, pagination.page_size(limit), start_key)
    return ConsentPage(items=items, next=pagination.encode_cursor(last_key, "consent-log", contact=contact_id))


def _growth_of(user_id: str | None) -> dict[str, Any]:
    """The loyalty account and referrals of the contact's shop account, if it has one."""
    if not user_id:
        return {}
    applied = referral_store.of_referee(user_id)
    return {
        "loyalty_account": loyalty_store.account(user_id),
        "loyalty_transactions": loyalty_store.all_entries(user_id),
        "referrals": referral_store.of_referrer(user_id, limit=1000) + ([applied] if applied else []),
    }
