"""Contact rules: one contact per address (case-insensitive), clean fields. Export and erasure of
everything held about a contact are in services/contact_data."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from marketing import clock, pagination
from marketing.audience.models.contact_requests import ContactCreate, ContactPage, ContactPatch
from marketing.audience.models.contacts import Contact, LifecycleStage
from marketing.audience.models.subscribers import OPTED_OUT
from marketing.audience.services import do_not_email
from marketing.audience.store import contacts as store
from marketing.audience.store import do_not_email as do_not_email_store
from marketing.errors import Conflict, ValidationFailed
from marketing.ids import new_id
from marketing.observability import logger
from marketing.store.conditions import Transaction

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
    email: str,
    changes: dict[str, Any],
    defaults: dict[str, Any] | None = None,
    *,
    add_tags: bool = False,
    keep_user: bool = False,
) -> tuple[Contact, Upserted]:
    """The contact with `email`, created with `defaults` and `changes` if there is none, else with
    `changes` applied (`add_tags`: given tags join the contact's instead of replacing them;
    `keep_user`: a `user_id` only fills in one the contact lacks, as link_user does, so a caller
    compares the contact's with its own to tell); and what happened. What imports and the shop's
    events use."""
    existing = store.find_by_email(email)
    if existing is None:
        try:
            return create(ContactCreate(email=email, **{**(defaults or {}), **changes})), Upserted.CREATED
        except Conflict:
            # Created between our read and our write (an event and an import, say): change it instead.
            existing = store.find_by_email(email)
            if existing is None:
                raise
    if keep_user and existing.user_id is not None:
        # The shop account decides whose points and referrals the contact's export and erasure
        # reach (decision 55): moving it would hand another customer's to this contact.
        changes = {field: value for field, value in changes.items() if field != "user_id"}
    if add_tags and "tags" in changes:
        changes = {**changes, "tags": existing.tags + [tag for tag in changes["tags"] if tag not in existing.tags]}
    different = {field: value for field, value in changes.items() if getattr(existing, field) != value}
    if not different:
        return existing, Upserted.UNCHANGED
    return store.update(existing.id, different, clock.utcnow()), Upserted.UPDATED


def link_user(contact: Contact, user_id: str | None) -> Contact:
    """`contact` with the shop account `user_id` if it has none yet: a contact the CRM or an import
    made, or a guest's, that now buys signed in. Its export and erasure then reach that account's
    points and referrals. A contact that is already another user's keeps its user."""
    if user_id is None or contact.user_id == user_id:
        return contact
    if contact.user_id is not None:
        logger.warning("order by a user other than the contact's: its user id kept", contact_id=contact.id)
        return contact
    return store.update(contact.id, {"user_id": user_id}, clock.utcnow())


def update(contact_id: str, patch: ContactPatch) -> Contact:
    changes = patch.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field in _REQUIRED:
            raise ValidationFailed.field(field, "may not be null")
    if not changes:
        return store.get(contact_id)
    return store.update(contact_id, changes, clock.utcnow(), when_moved=_keep_old_address)


def _keep_old_address(tx: Transaction, before: Contact) -> None:
    """The old address keeps its owner's opt-out or its suppression: nothing else would stop an
    import, a signup or a shop event from mailing it once no contact holds it."""
    if before.subscription_status in OPTED_OUT:
        do_not_email_store.add(tx, do_not_email.listings_for(before.email, before.subscription_status))


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
    tag = tag.lower() if tag else None
    start_key = pagination.decode_cursor(cursor, "contacts", stage=stage, tag=tag)
    items, last_key = store.list_page(pagination.page_size(limit), start_key, stage=stage, tag=tag)
    return ContactPage(items=items, next=pagination.encode_cursor(last_key, "contacts", stage=stage, tag=tag))
