"""Subscribers: the only code that knows how subscriptions are stored.

One subscriber per contact: the id is derived from the contact's id, so a conditional put makes a
second subscription of the same contact impossible, whatever the concurrency. Every write of a
status copies it onto the contact in the same transaction (what segment evaluation reads).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.models import Model

from marketing.activity.store import activity
from marketing.audience.models.consents import ConsentEntry
from marketing.audience.models.subscribers import Preferences, Subscriber, SubscriberSource, SubscriberStatus
from marketing.audience.store import consents, contacts
from marketing.audience.store.preferences import PreferencesAttribute
from marketing.errors import Conflict, NotFound
from marketing.store.conditions import Transaction, apply, get_or_not_found
from marketing.store.table_meta import TableMeta

# More writes for a subscriber's transaction: e.g. the double opt-in's confirmation of a signup.
Also = Callable[[Transaction], None]


def subscriber_id(contact_id: str) -> str:
    return "sub_" + contact_id.removeprefix("ct_")


class SubscriberRecord(Model):
    class Meta(TableMeta):
        table_env = "SUBSCRIBERS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    user_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    source = UnicodeAttribute()
    preferences = PreferencesAttribute()
    subscribed_at = UTCDateTimeAttribute(null=True)
    unsubscribed_at = UTCDateTimeAttribute(null=True)
    tracking_consent = BooleanAttribute(null=True)  # absent: never asked
    tracking_consent_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    def to_domain(self) -> Subscriber:
        return Subscriber(
            id=self.id,
            email=self.email,
            contact_id=self.contact_id,
            user_id=self.user_id,
            status=SubscriberStatus(self.status),
            source=SubscriberSource(self.source),
            preferences=Preferences(**self.preferences.as_dict()),
            subscribed_at=self.subscribed_at,
            unsubscribed_at=self.unsubscribed_at,
            tracking_consent=self.tracking_consent,
            tracking_consent_at=self.tracking_consent_at,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def _record(id_: str) -> SubscriberRecord:
    return get_or_not_found(SubscriberRecord, id_, "subscriber")


def create(subscriber: Subscriber, consents_logged: list[ConsentEntry], also: Sequence[Also] = ()) -> Subscriber:
    """Creates the subscriber, with the consent log entries that record it (and `also`'s writes) in
    one transaction."""
    fields = subscriber.model_dump(exclude={"id", "preferences"})
    record = SubscriberRecord(
        subscriber.id, preferences=PreferencesAttribute(**subscriber.preferences.model_dump()), **fields
    )

    def write(tx: Transaction) -> None:
        tx.save(
            record,
            SubscriberRecord.id.does_not_exist(),
            Conflict(f"contact {subscriber.contact_id} already has a subscription"),
        )
        contacts.mirror_subscription(tx, subscriber.contact_id, subscriber.status)
        activity.add_subscription_change(tx, subscriber.status.value, subscriber.created_at)
        for entry in consents_logged:
            consents.append(tx, entry)
        for write_also in also:
            write_also(tx)

    apply(SubscriberRecord.Meta.region, write)  # again if it met another on the audience's counters
    return record.to_domain()


def get(id_: str) -> Subscriber:
    return _record(id_).to_domain()


def find(id_: str) -> Subscriber | None:
    try:
        return get(id_)
    except NotFound:
        return None


def update(
    id_: str,
    changes: dict[str, Any],
    updated_at: datetime,
    consents_logged: list[ConsentEntry],
    also: Sequence[Also] = (),
) -> Subscriber:
    """`changes` may hold status, timestamps and `preferences` (a complete Preferences); written
    with the consent log entries that record them (and `also`'s writes) in one transaction."""
    record = _record(id_)
    actions = []
    for field, value in changes.items():
        if field == "preferences":
            value = PreferencesAttribute(**value.model_dump())
        actions.append(getattr(SubscriberRecord, field).set(value))
    actions.append(SubscriberRecord.updated_at.set(updated_at))

    def write(tx: Transaction) -> None:
        tx.update(
            record, actions, on_failure=Conflict(f"subscriber {id_} was changed by someone else; fetch it and retry")
        )
        if "status" in changes:
            contacts.mirror_subscription(tx, record.contact_id, SubscriberStatus(changes["status"]))
            if changes["status"] != record.status:  # the audience's day counts a status entered
                activity.add_subscription_change(tx, SubscriberStatus(changes["status"]).value, updated_at)
        for entry in consents_logged:
            consents.append(tx, entry)
        for write_also in also:
            write_also(tx)

    apply(SubscriberRecord.Meta.region, write)  # again if it met another on the audience's counters
    return _record(id_).to_domain()


def list_page(
    limit: int, start_key: dict[str, Any] | None, status: SubscriberStatus | None = None
) -> tuple[list[Subscriber], dict[str, Any] | None]:
    condition = SubscriberRecord.status == status.value if status else None
    results = SubscriberRecord.scan(filter_condition=condition, limit=limit, last_evaluated_key=start_key)
    return [record.to_domain() for record in results], results.last_evaluated_key


def forget(tx: Transaction, id_: str, status: SubscriberStatus | None) -> None:
    """Adds to `tx` the removal of the subscriber (an erasure's), provided it is still in `status`
    (None: there is none), as read when the erasure chose the do-not-email reason from it: a bounce
    recorded in between makes the erasure a Conflict to retry, never an entry with a weaker reason."""
    condition = SubscriberRecord.id.does_not_exist() if status is None else SubscriberRecord.status == status.value
    changed = Conflict(f"subscriber {id_} changed during the erasure; try again")
    tx.delete(SubscriberRecord(id_), condition, changed, add_version_condition=False)


def for_contacts(contact_ids: list[str]) -> dict[str, Subscriber]:
    """The subscribers of these contacts that have one, by contact id (one request per 100)."""
    if not contact_ids:
        return {}
    records = SubscriberRecord.batch_get([subscriber_id(contact_id) for contact_id in contact_ids])
    return {record.contact_id: record.to_domain() for record in records}
