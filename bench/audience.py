"""Subscribed contacts written straight into a benchmark's DynamoDB (moto server), a batch write at
a time: what a benchmark of sending needs, without the minutes an import takes in local mode."""

from __future__ import annotations

from datetime import UTC, datetime


def write_subscribers(id_prefix: str, email_prefix: str, count: int, unsubscribed_every: int = 0) -> list[str]:
    """`count` contacts with their subscriptions, `<id_prefix>NNNNNNNN` at
    `<email_prefix>N@example.com`; every `unsubscribed_every`-th one unsubscribed (0: none).
    The tables must be bound (catalog.tables.bind_tables)."""
    from marketing.audience.store.contacts import ContactRecord
    from marketing.audience.store.preferences import PreferencesAttribute
    from marketing.audience.store.subscribers import SubscriberRecord, subscriber_id

    now = datetime.now(UTC)
    ids = [f"{id_prefix}{number:08d}" for number in range(count)]
    with ContactRecord.batch_write() as contacts, SubscriberRecord.batch_write() as subscribers:
        for number, contact_id in enumerate(ids):
            unsubscribed = unsubscribed_every and number % unsubscribed_every == 0
            status = "unsubscribed" if unsubscribed else "subscribed"
            email = f"{email_prefix}{number}@example.com"
            contacts.save(
                ContactRecord(
                    contact_id,
                    email=email,
                    first_name="Ada",
                    lifecycle_stage="customer",
                    lifetime_value=0,
                    subscription_status=status,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            subscribers.save(
                SubscriberRecord(
                    subscriber_id(contact_id),
                    email=email,
                    contact_id=contact_id,
                    status=status,
                    source="import",
                    preferences=PreferencesAttribute(),
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
    return ids
