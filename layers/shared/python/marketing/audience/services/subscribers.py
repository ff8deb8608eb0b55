"""Subscription rules.

- One subscriber per contact; a customer reaches only the subscriber of the contact that holds
  their token's address, and only if that contact is theirs, or nobody's and the token says the
  address is verified (`email_verified`).
- Consent to tracking (opens and clicks recorded per person) is the subscriber's own choice, given
  or withdrawn with the preferences (`tracking_consent` in a preferences patch), with the time it
  changed; never asked reads as not given (models/subscribers.tracks_person).
- A bounced or complained address stays suppressed: neither staff nor the customer can set it
  back to subscribed (SES reputation depends on it).
- Unsubscribing is idempotent and keeps the record (it is what stops future sends).
- An opt-out sticks: an unsubscribed address is subscribed again only when the person asks for
  it themselves (signed in, `POST subscribers/`), never by an import or a shop event.
- An address on the do-not-email list (an erased contact's) is subscribed by nobody, not even its
  owner, except by a confirmed (double) opt-in where the reason allows it (services/do_not_email):
  otherwise a 422 naming the field.
- Every change is recorded in the contact's consent log, in the same transaction, with how it was
  asked for (a ConsentContext: method, who, from where): models/consents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from marketing import clock, pagination
from marketing.audience.models.consents import ConsentContext, ConsentEntry, ConsentEvent, ConsentMethod
from marketing.audience.models.contact_requests import ContactCreate
from marketing.audience.models.contacts import Contact
from marketing.audience.models.signups import Signup
from marketing.audience.models.subscriber_requests import (
    PreferencesPatch,
    SubscribeRequest,
    SubscriberPage,
    SubscriberPatch,
)
from marketing.audience.models.subscribers import (
    SUPPRESSED,
    Preferences,
    Subscriber,
    SubscriberSource,
    SubscriberStatus,
)
from marketing.audience.services import contacts, do_not_email
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import do_not_email as do_not_email_store
from marketing.audience.store import subscribers as store
from marketing.audience.store.subscribers import Also
from marketing.auth import Principal
from marketing.errors import BusinessRuleViolation, Forbidden, NotFound, ValidationFailed


def _merged(current: Preferences, patch: PreferencesPatch | None) -> Preferences:
    if patch is None:
        return current
    return current.model_copy(update=patch.model_dump(exclude_none=True, exclude={"tracking_consent"}))


def _consent_changes(current: bool | None, patch: PreferencesPatch | None) -> dict:
    """The subscriber's tracking consent and its time, if the patch changes it."""
    if patch is None or patch.tracking_consent is None or patch.tracking_consent == current:
        return {}
    return {"tracking_consent": patch.tracking_consent, "tracking_consent_at": clock.utcnow()}


def _logged(how: ConsentContext, before: Subscriber | None, after: Subscriber) -> list[ConsentEntry]:
    """The consent log entries of a change from `before` to `after`: none if nothing changed that
    consent is about, except that a confirmation is always recorded."""
    confirming = how.method == ConsentMethod.CONFIRMATION_LINK
    if before is None or before.status != after.status:
        if after.status == SubscriberStatus.SUBSCRIBED:
            event = ConsentEvent.CONFIRMED if confirming else ConsentEvent.SUBSCRIBED
        else:
            event = ConsentEvent.UNSUBSCRIBED
    elif confirming:
        event = ConsentEvent.CONFIRMED
    elif (before.preferences, before.tracking_consent) != (after.preferences, after.tracking_consent):
        event = ConsentEvent.PREFERENCES_CHANGED
    else:
        return []
    return [ConsentEntry.of(how, event, after.contact_id, clock.utcnow(), **_state(after))]


def _state(subscriber: Subscriber | None) -> dict:
    """What a consent log entry says of the subscription after it (none yet: all None)."""
    return {
        "status": subscriber.status if subscriber else None,
        "preferences": subscriber.preferences if subscriber else None,
        "tracking_consent": subscriber.tracking_consent if subscriber else None,
    }


def _signup_entry(signup: Signup, contact_id: str, existing: Subscriber | None) -> ConsentEntry:
    """The log's record of the request a confirmation confirms, at the time it was made."""
    return ConsentEntry.of(signup.request, ConsentEvent.SIGNUP, contact_id, signup.requested_at, **_state(existing))


def _change(
    subscriber: Subscriber,
    changes: dict,
    how: ConsentContext,
    logged: list[ConsentEntry] | None = None,
    also: Sequence[Also] = (),
) -> Subscriber:
    """Writes `changes` with their consent log entries, `logged` first (nothing at all if there are
    neither)."""
    logged = (logged or []) + _logged(how, subscriber, subscriber.model_copy(update=changes))
    if not changes and not logged:
        return subscriber
    return store.update(subscriber.id, changes, clock.utcnow(), logged, also)


def _status_changes(subscriber: Subscriber, status: SubscriberStatus) -> dict:
    if status == subscriber.status:
        return {}
    if subscriber.status in SUPPRESSED and status == SubscriberStatus.SUBSCRIBED:
        raise BusinessRuleViolation(
            f"{subscriber.email} is suppressed ({subscriber.status.value}); it cannot be subscribed again",
            [{"field": "status", "reason": f"address is {subscriber.status.value}"}],
        )
    now = clock.utcnow()
    changes: dict = {"status": status.value}
    if status == SubscriberStatus.SUBSCRIBED:
        changes.update(subscribed_at=now, unsubscribed_at=None)
    elif status == SubscriberStatus.UNSUBSCRIBED:
        changes["unsubscribed_at"] = now
    return changes


def subscribe_contact(
    contact: Contact,
    source: SubscriberSource,
    preferences: PreferencesPatch | None,
    how: ConsentContext,
    *,
    asked_in_person: bool = False,
    confirms: Signup | None = None,
    mark_confirmed: Also | None = None,
) -> Subscriber:
    """Subscribes `contact` (creating its subscriber on first subscription). `asked_in_person`: the
    person subscribes themselves, the only request that may undo their own unsubscribe. An address
    on the do-not-email list is refused (OnDoNotEmailList on `email`), unless `confirms` is the
    person's confirmed double opt-in and the list's reason allows one: then the entry goes in the
    subscription's transaction, with `mark_confirmed`, the signup's own write."""
    existing = store.find(store.subscriber_id(contact.id))
    if existing is not None and existing.status == SubscriberStatus.UNSUBSCRIBED and not asked_in_person:
        raise BusinessRuleViolation(
            f"{existing.email} unsubscribed; only the person can subscribe again",
            [{"field": "status", "reason": "address is unsubscribed"}],
        )
    subscribing = existing is None or existing.status != SubscriberStatus.SUBSCRIBED
    lifted = do_not_email.lift_or_refuse(contact.email, "email", confirmed=confirms is not None) if subscribing else []
    logged = [] if confirms is None else [_signup_entry(confirms, contact.id, existing)]
    also = [partial(do_not_email_store.remove, listings=lifted), *([mark_confirmed] if mark_confirmed else [])]

    if existing is None:
        now = clock.utcnow()
        subscriber = Subscriber(
            id=store.subscriber_id(contact.id),
            email=contact.email,
            contact_id=contact.id,
            user_id=contact.user_id,
            status=SubscriberStatus.SUBSCRIBED,
            source=source,
            preferences=_merged(Preferences(), preferences),
            subscribed_at=now,
            unsubscribed_at=None,
            created_at=now,
            updated_at=now,
            **_consent_changes(None, preferences),
        )
        return store.create(subscriber, logged + _logged(how, None, subscriber), also)
    changes = _status_changes(existing, SubscriberStatus.SUBSCRIBED)
    if preferences is not None:
        changes["preferences"] = _merged(existing.preferences, preferences)
        changes.update(_consent_changes(existing.tracking_consent, preferences))
    return _change(existing, changes, how, logged=logged, also=also)


# --- staff ---------------------------------------------------------------------------------------
def get(subscriber_id: str) -> Subscriber:
    return store.get(subscriber_id)


def list_page(
    limit: int | None, cursor: str | None, status: SubscriberStatus | None, email: str | None = None
) -> SubscriberPage:
    """A page of subscribers; with `email`, the address's subscriber, if any (found through its
    contact: one per address, whatever its case)."""
    if email:
        contact = contact_store.find_by_email(email)
        found = store.find(store.subscriber_id(contact.id)) if contact is not None else None
        return SubscriberPage(items=[found] if found is not None and status in (None, found.status) else [])
    start_key = pagination.decode_cursor(cursor, "subscribers", status=status)
    items, last_key = store.list_page(pagination.page_size(limit), start_key, status)
    return SubscriberPage(items=items, next=pagination.encode_cursor(last_key, "subscribers", status=status))


def update(subscriber_id: str, patch: SubscriberPatch, how: ConsentContext) -> Subscriber:
    subscriber = store.get(subscriber_id)
    changes = _status_changes(subscriber, patch.status) if patch.status else {}
    if changes.get("status") == SubscriberStatus.SUBSCRIBED.value:  # the address mail would go to: the contact's
        do_not_email.refuse_subscribing(contact_store.get(subscriber.contact_id).email, "status")
    if patch.preferences is not None:
        changes["preferences"] = _merged(subscriber.preferences, patch.preferences)
        changes.update(_consent_changes(subscriber.tracking_consent, patch.preferences))
    return _change(subscriber, changes, how)


def unsubscribe(subscriber_id: str, how: ConsentContext) -> Subscriber:
    subscriber = store.get(subscriber_id)
    if subscriber.status != SubscriberStatus.SUBSCRIBED:
        return subscriber  # already unsubscribed or suppressed: nothing to do, and no error
    return _change(subscriber, _status_changes(subscriber, SubscriberStatus.UNSUBSCRIBED), how)


SUPPRESSED_BY = {
    SubscriberStatus.BOUNCED: ConsentContext(ConsentMethod.BOUNCE, "ses"),
    SubscriberStatus.COMPLAINED: ConsentContext(ConsentMethod.COMPLAINT, "ses"),
}


def suppress(contact: Contact, status: SubscriberStatus, source: str | None = None) -> Subscriber:
    """Marks the contact's address bounced or complained (SES said so; `source`: the email that
    did), subscribed or not: no marketing email goes to it again, and nobody can subscribe it back."""
    how = replace(SUPPRESSED_BY[status], source=source)
    existing = store.find(store.subscriber_id(contact.id))
    now = clock.utcnow()
    if existing is None:
        subscriber = Subscriber(
            id=store.subscriber_id(contact.id),
            email=contact.email,
            contact_id=contact.id,
            user_id=contact.user_id,
            status=status,
            source=SubscriberSource.API,
            preferences=Preferences(),
            subscribed_at=None,
            unsubscribed_at=now,
            created_at=now,
            updated_at=now,
        )
        return store.create(subscriber, _logged(how, None, subscriber))
    if existing.status in SUPPRESSED:
        return existing  # the first verdict stands; a redelivered event changes nothing
    return _change(existing, {"status": status.value, "unsubscribed_at": now}, how)


def preferences(subscriber_id: str) -> Preferences:
    return store.get(subscriber_id).preferences


def change_preferences(subscriber: Subscriber, patch: PreferencesPatch, how: ConsentContext) -> Subscriber:
    """The subscriber with the patch's preferences and tracking consent (written only if changed)."""
    merged = _merged(subscriber.preferences, patch)
    changes = _consent_changes(subscriber.tracking_consent, patch)
    if merged != subscriber.preferences:
        changes["preferences"] = merged
    return _change(subscriber, changes, how)


def update_preferences(subscriber_id: str, patch: PreferencesPatch, how: ConsentContext) -> Preferences:
    return change_preferences(store.get(subscriber_id), patch, how).preferences


# --- the signed-in customer ------------------------------------------------------------------------
def _customer_contact(principal: Principal) -> Contact | None:
    """The contact of the token's address, if the customer may act for it: one linked to them, or,
    when the token says the address is verified, one linked to nobody yet or none at all (anyone
    can put any address in an unverified claim: with one, only a contact the shop's events linked
    to the customer is theirs)."""
    if not principal.email:
        raise ValidationFailed.field("email", "the token carries no email claim")
    contact = contact_store.find_by_email(principal.email)
    if contact is not None and contact.user_id == principal.id:
        return contact
    if contact is not None and contact.user_id is not None:
        raise Forbidden("this address belongs to another account")
    if not principal.email_verified:
        raise Forbidden("this address is not verified by the identity provider: verify it, then try again")
    return contact


def customer_contact(principal: Principal, request: SubscribeRequest, *, refuse_listed: bool = True) -> Contact:
    """The signed-in customer's contact, created (or linked to them) for a subscription. With
    `refuse_listed` (a subscription at once), an address on the do-not-email list is a 422 on
    `email` saying why (it is the customer's own address: nothing to hide from them), and creates
    no contact; a double opt-in may lift the entry, so it asks for no such check."""
    contact = _customer_contact(principal)
    if contact is None:
        if refuse_listed:
            do_not_email.refuse_subscribing(principal.email, "email")
        return contacts.create(
            ContactCreate(
                email=principal.email, user_id=principal.id, first_name=request.first_name, last_name=request.last_name
            )
        )
    if contact.user_id is None:
        return contact_store.update(contact.id, {"user_id": principal.id}, clock.utcnow())
    return contact


def subscribe_customer(principal: Principal, request: SubscribeRequest, how: ConsentContext) -> Subscriber:
    """Subscribes the signed-in customer at once (single opt-in)."""
    contact = customer_contact(principal, request)
    return subscribe_contact(contact, SubscriberSource.WEBSITE, request.preferences, how, asked_in_person=True)


def _own_subscriber(principal: Principal) -> Subscriber:
    contact = _customer_contact(principal)
    subscriber = store.find(store.subscriber_id(contact.id)) if contact is not None else None
    if subscriber is None:
        raise NotFound("you have no subscription yet: POST subscribers/ to subscribe")
    return subscriber


def own_preferences(principal: Principal) -> Preferences:
    return _own_subscriber(principal).preferences


def update_own_preferences(principal: Principal, patch: PreferencesPatch, how: ConsentContext) -> Preferences:
    return change_preferences(_own_subscriber(principal), patch, how).preferences
