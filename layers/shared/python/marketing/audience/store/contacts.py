"""Contacts: the only code that knows how contacts are stored.

Two tables: `contacts` (by id, with a lifecycle-stage index) and `contact_emails`, one item per
lower-cased address pointing at its contact. Every write that creates or changes an address
writes both in one transaction with conditions, so two contacts can never share an address,
whatever the concurrency (a GSI could not enforce that: index writes are not transactional).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from marketing.audience.models.contacts import Contact, ContactFacts, LifecycleStage, email_key
from marketing.audience.models.subscribers import SubscriberStatus
from marketing.errors import Conflict, NotFound
from marketing.store.attributes import DecimalAttribute
from marketing.store.conditions import Transaction, get_or_not_found, transaction, update_unversioned
from marketing.store.table_meta import TableMeta

if TYPE_CHECKING:
    from marketing.campaigns.store.capacity import ScanCost  # only the segment scans pass one


class ByStageIndex(GlobalSecondaryIndex):
    """Contacts of one lifecycle stage, newest first (filters the admin list)."""

    class Meta:
        index_name = "by_stage"
        projection = AllProjection()

    lifecycle_stage = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ContactRecord(Model):
    class Meta(TableMeta):
        table_env = "CONTACTS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    first_name = UnicodeAttribute(default="")
    last_name = UnicodeAttribute(default="")
    user_id = UnicodeAttribute(null=True)
    lifecycle_stage = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    order_count = NumberAttribute(default=0)
    lifetime_value = DecimalAttribute()
    last_order_at = UTCDateTimeAttribute(null=True)
    # The subscriber's status, copied here by every subscriber write so that segment evaluation
    # reads one table (docs/decisions.md, "Segment evaluation").
    subscription_status = UnicodeAttribute(null=True)
    # The last campaign email the contact clicked: an order soon after is that campaign's conversion.
    last_click_campaign_id = UnicodeAttribute(null=True)
    last_click_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_stage = ByStageIndex()

    def to_domain(self) -> Contact:
        return Contact(
            id=self.id,
            email=self.email,
            first_name=self.first_name or "",
            last_name=self.last_name or "",
            user_id=self.user_id,
            lifecycle_stage=LifecycleStage(self.lifecycle_stage),
            tags=list(self.tags or []),
            order_count=int(self.order_count or 0),
            lifetime_value=self.lifetime_value,
            last_order_at=self.last_order_at,
            subscription_status=SubscriberStatus(self.subscription_status) if self.subscription_status else None,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


class ContactEmailRecord(Model):
    """Claims an address (lower-cased) for one contact."""

    class Meta(TableMeta):
        table_env = "CONTACT_EMAILS_TABLE"

    email_key = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute()


def _duplicate(email: str) -> Conflict:
    return Conflict(
        f"a contact with email {email} already exists",
        [{"field": "email", "reason": "already used by another contact"}],
    )


def _record(contact_id: str) -> ContactRecord:
    return get_or_not_found(ContactRecord, contact_id, "contact")


def create(contact: Contact) -> Contact:
    record = ContactRecord(contact.id, **contact.model_dump(exclude={"id", "currency", "subscription_status"}))
    guard = ContactEmailRecord(email_key(contact.email), contact_id=contact.id)
    with transaction(ContactRecord.Meta.region) as tx:
        tx.save(record, ContactRecord.id.does_not_exist(), Conflict(f"contact {contact.id} exists"))
        tx.save(guard, ContactEmailRecord.email_key.does_not_exist(), _duplicate(contact.email))
    return record.to_domain()


def get(contact_id: str) -> Contact:
    return _record(contact_id).to_domain()


def find(contact_id: str) -> Contact | None:
    """The contact, or None if there is none (erased, say)."""
    try:
        return get(contact_id)
    except NotFound:
        return None


def find_by_email(email: str) -> Contact | None:
    try:
        guard = ContactEmailRecord.get(email_key(email), consistent_read=True)
    except DoesNotExist:
        return None
    return get(guard.contact_id)


def update(
    contact_id: str,
    changes: dict[str, Any],
    updated_at: datetime,
    when_moved: Callable[[Transaction, Contact], None] | None = None,
) -> Contact:
    """Applies `changes`; a changed address moves its claim in the same transaction, and
    `when_moved` adds other writes to it, given the contact as it was (the old address's
    do-not-email entry). A concurrent edit (version check) or an address already claimed is a 409."""
    record = _record(contact_id)
    actions = [getattr(ContactRecord, field).set(value) for field, value in changes.items()]
    actions.append(ContactRecord.updated_at.set(updated_at))
    new_email = changes.get("email")
    moves_claim = new_email is not None and email_key(new_email) != email_key(record.email)
    stale = Conflict(f"contact {contact_id} was changed by someone else; fetch it and retry")
    with transaction(ContactRecord.Meta.region) as tx:
        tx.update(record, actions, on_failure=stale)
        if moves_claim:
            tx.delete(ContactEmailRecord(email_key(record.email)), ContactEmailRecord.contact_id == contact_id, stale)
            tx.save(
                ContactEmailRecord(email_key(new_email), contact_id=contact_id),
                ContactEmailRecord.email_key.does_not_exist(),
                _duplicate(new_email),
            )
            if when_moved is not None:
                when_moved(tx, record.to_domain())
    return _record(contact_id).to_domain()


def mirror_subscription(tx: Transaction, contact_id: str, status: SubscriberStatus) -> None:
    """Adds to `tx` the copy of a subscriber's status onto its contact. Not version-checked: the
    status is not a field staff edit on the contact, so a concurrent contact edit is no conflict."""
    record = _record(contact_id)
    tx.update(
        record,
        [ContactRecord.subscription_status.set(status.value)],
        ContactRecord.id.exists(),
        NotFound(f"contact {contact_id} not found"),
        add_version_condition=False,
    )


def record_click(contact_id: str, campaign_id: str, clicked_at: datetime) -> None:
    """Remembers the campaign of the contact's latest click (not version-checked: bookkeeping)."""
    with suppress(NotFound):  # erased since the email went out
        update_unversioned(
            ContactRecord,
            contact_id,
            [ContactRecord.last_click_campaign_id.set(campaign_id), ContactRecord.last_click_at.set(clicked_at)],
            ContactRecord.id.exists(),
            NotFound(f"contact {contact_id} not found"),
        )


def last_click(contact_id: str) -> tuple[str, datetime] | None:
    """The campaign the contact last clicked in, and when; None if it never clicked."""
    record = _record(contact_id)
    if record.last_click_campaign_id is None or record.last_click_at is None:
        return None
    return record.last_click_campaign_id, record.last_click_at


def add_orders(
    tx: Transaction, contact_id: str, *, orders: int, value: Decimal, ordered_at: datetime | None, now: datetime
) -> None:
    """Adds to `tx` a change of the contact's order statistics, version-checked: statistics are
    read, changed and written back, so a concurrent change must make this transaction retry."""
    record = _record(contact_id)
    actions = [
        ContactRecord.order_count.set(int(record.order_count or 0) + orders),
        ContactRecord.lifetime_value.set(max(Decimal("0.00"), record.lifetime_value + value)),
        ContactRecord.updated_at.set(now),
    ]
    if ordered_at is not None and (record.last_order_at is None or ordered_at > record.last_order_at):
        actions.append(ContactRecord.last_order_at.set(ordered_at))
    tx.update(record, actions, on_failure=Conflict(f"contact {contact_id} changed while counting an order"))


def delete(contact_id: str, also: Callable[[Transaction], None] | None = None) -> Contact:
    """Deletes the contact and its address claim; `also` adds other writes to the same transaction
    (an erasure's: the subscriber goes and the do-not-email entry is written in the same step)."""
    record = _record(contact_id)
    gone = NotFound(f"contact {contact_id} not found")
    with transaction(ContactRecord.Meta.region) as tx:
        tx.delete(record, ContactRecord.id.exists(), gone, add_version_condition=False)
        tx.delete(ContactEmailRecord(email_key(record.email)), ContactEmailRecord.contact_id == contact_id, gone)
        if also is not None:
            also(tx)
    return record.to_domain()


def list_page(
    limit: int, start_key: dict[str, Any] | None, *, stage: LifecycleStage | None = None, tag: str | None = None
) -> tuple[list[Contact], dict[str, Any] | None]:
    """One page, filtered by stage (index query, newest first) and/or tag (filter expression;
    a page may then hold fewer than `limit` items while `next` is still given)."""
    tag_filter = ContactRecord.tags.contains(tag) if tag else None
    if stage is not None:
        results = ContactRecord.by_stage.query(
            stage.value,
            filter_condition=tag_filter,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start_key,
        )
    else:
        results = ContactRecord.scan(filter_condition=tag_filter, limit=limit, last_evaluated_key=start_key)
    items = [record.to_domain() for record in results]
    return items, results.last_evaluated_key


SCAN_PAGE_ITEMS = 1000  # bounds the memory a page takes (a 1 MB page of contacts is ~3,000 items)


def scan_facts(
    cost: ScanCost, segment: int = 0, total_segments: int = 1, start_key: dict[str, Any] | None = None
) -> Iterator[tuple[list[ContactFacts], dict[str, Any] | None]]:
    """Every contact's segment-relevant facts, a page at a time with the key the scan would go on
    from after it (None after the last page): memory stays flat in the number of contacts, and a
    scan stopped after a page resumes from its key. `segment` of `total_segments` splits the table
    for a parallel scan; eventually consistent, which halves the read cost (a refresh is a snapshot
    anyway)."""
    connection = ContactRecord._get_connection()
    parallel = {"segment": segment, "total_segments": total_segments} if total_segments > 1 else {}
    while True:
        page = connection.scan(
            exclusive_start_key=start_key, limit=SCAN_PAGE_ITEMS, return_consumed_capacity="TOTAL", **parallel
        )
        items = page.get("Items", [])
        cost.add_page(items, page.get("ConsumedCapacity"), consistent=False)
        start_key = page.get("LastEvaluatedKey") or None
        yield [_facts(item) for item in items], start_key
        if not start_key:
            return


def _facts(item: dict[str, Any]) -> ContactFacts:
    last_order = item.get("last_order_at", {}).get("S")
    status = item.get("subscription_status", {}).get("S")
    return ContactFacts(
        id=item["id"]["S"],
        lifecycle_stage=item["lifecycle_stage"]["S"],
        tags=frozenset(tag["S"] for tag in item.get("tags", {}).get("L", ())),
        order_count=int(item.get("order_count", {}).get("N", "0")),
        lifetime_value=Decimal(item.get("lifetime_value", {}).get("N", "0")),
        last_order_at=ContactRecord.last_order_at.deserialize(last_order) if last_order else None,
        subscription_status=status,
    )


def batch_get(contact_ids: list[str]) -> list[Contact]:
    """The contacts with these ids that exist, in the order asked."""
    found = {record.id: record.to_domain() for record in ContactRecord.batch_get(contact_ids)} if contact_ids else {}
    return [found[contact_id] for contact_id in contact_ids if contact_id in found]
