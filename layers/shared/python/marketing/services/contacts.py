"""Contact rules: one contact per address (case-insensitive), clean fields, erasure on delete."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from marketing import clock, pagination
from marketing.errors import Conflict, ValidationFailed
from marketing.ids import new_id
from marketing.models.contact_export import ContactExport
from marketing.models.contacts import (
    Contact,
    ContactCreate,
    ContactPage,
    ContactPatch,
    LifecycleStage,
)
from marketing.services import automation_runs
from marketing.store import carts as cart_store
from marketing.store import contacts as store
from marketing.store import loyalty as loyalty_store
from marketing.store import orders as order_store
from marketing.store import recipients as recipient_store
from marketing.store import referrals as referral_store
from marketing.store import segments as segment_store
from marketing.store import subscribers as subscriber_store

# Fields a PATCH may not set to null: the contact always has them.
_REQUIRED = {"email", "lifecycle_stage", "tags", "order_count", "lifetime_value", "first_name", "last_name"}


def create(request: ContactCreate) -> Contact:
    now = clock.utcnow()
    return store.create(Contact(id=new_id("ct"), created_at=now, updated_at=now, **request.model_dump()))


def get(contact_id: str) -> Contact:
    return store.get(contact_id)


class Upserted(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def upsert(
    email: str, changes: dict[str, Any], defaults: dict[str, Any] | None = None, *, add_tags: bool = False
) -> tuple[Contact, Upserted]:
    """The contact with `email`, created with `defaults` and `changes` if there is none, else with
    `changes` applied (`add_tags`: given tags join the contact's instead of replacing them); and
    what happened. What imports and the shop's events use."""
    existing = store.find_by_email(email)
    if existing is None:
        try:
            return create(ContactCreate(email=email, **{**(defaults or {}), **changes})), Upserted.CREATED
        except Conflict:
            # Created between our read and our write (an event and an import, say): change it instead.
            existing = store.find_by_email(email)
            if existing is None:
                raise
    if add_tags and "tags" in changes:
        changes = {**changes, "tags": existing.tags + [tag for tag in changes["tags"] if tag not in existing.tags]}
    different = {field: value for field, value in changes.items() if getattr(existing, field) != value}
    if not different:
        return existing, Upserted.UNCHANGED
    return store.update(existing.id, different, clock.utcnow()), Upserted.UPDATED


def update(contact_id: str, patch: ContactPatch) -> Contact:
    changes = patch.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field in _REQUIRED:
            raise ValidationFailed.field(field, "may not be null")
    if not changes:
        return store.get(contact_id)
    return store.update(contact_id, changes, clock.utcnow())


def delete(contact_id: str) -> None:
    """Erasure: every record that holds the contact's data goes, the contact (and its address
    claim) last, so a failure part-way leaves it findable for a retry. Each step is idempotent;
    an unknown contact is a NotFound at once. Counted orders stay, naming no one, so a
    redelivered order event still counts once. The loyalty account and the referral code and
    applied referral of the contact's shop account (user id) go too."""
    user_id = store.get(contact_id).user_id
    subscriber_store.delete(subscriber_store.subscriber_id(contact_id))
    order_store.forget_contact(contact_id)
    recipient_store.forget_contact(contact_id)
    automation_runs.forget_contact(contact_id)
    cart_store.forget(cart_store.of_contact(contact_id))
    segment_store.forget_contact(contact_id, clock.utcnow())
    if user_id:
        loyalty_store.forget_user(user_id)
        referral_store.forget_user(user_id)
    store.delete(contact_id)


def export(contact_id: str) -> ContactExport:
    contact = store.get(contact_id)
    return ContactExport(
        contact=contact,
        subscriber=subscriber_store.find(subscriber_store.subscriber_id(contact_id)),
        orders=order_store.for_contact(contact_id),
        segment_ids=segment_store.segments_of(contact_id),
        campaign_emails=[item.to_domain() for item in recipient_store.for_contact(contact_id)],
        automation_executions=[item.to_domain() for item in automation_runs.executions_of(contact_id)],
        carts=[cart.to_domain() for cart in cart_store.of_contact(contact_id)],
        **_growth_of(contact.user_id),
    )


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


def list_page(
    limit: int | None,
    cursor: str | None,
    *,
    email: str | None = None,
    stage: LifecycleStage | None = None,
    tag: str | None = None,
) -> ContactPage:
    if email:
        found = store.find_by_email(email)
        matches = (
            found is not None
            and (stage is None or found.lifecycle_stage == stage)
            and (tag is None or tag.lower() in found.tags)
        )
        return ContactPage(items=[found] if matches else [])
    items, last_key = store.list_page(
        pagination.page_size(limit), pagination.decode_cursor(cursor), stage=stage, tag=tag.lower() if tag else None
    )
    return ContactPage(items=items, next=pagination.encode_cursor(last_key))
