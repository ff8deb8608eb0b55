"""Counter items by time, one table: a mailing's by the hour (`campaign#<id>` or
`automation#<automation id>#<order>`, bucket `2026-11-30T14`), the audience's by the day (`audience`,
bucket `2026-11-30`), and a mailing's clicks per link (`<series>#links`, bucket the link's id).

The counters of an event are added inside the transaction that records the event on its recipient
or subscriber, so they are exactly as true as the mailing's own counters: a retried event is
refused by that write's condition and adds nothing here either. Clicks per link are the exception:
added after the click is recorded, one write per counted click (decision 77).

Every event of every mailing meets on the audience's day, and DynamoDB cancels transactions that
meet on an item: each time bucket is split into SHARDS items (`2026-11-30#3`), one chosen at random
per write, and the readers add them up. The transactions are run again when they still meet.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from marketing.store.attributes import DecimalAttribute
from marketing.store.conditions import Transaction
from marketing.store.table_meta import TableMeta

AUDIENCE = "audience"
SHARDS = 10
# What the audience's days count from its subscribers, and from its mailings' recipients.
SUBSCRIPTION_COUNTERS = ("subscribed", "unsubscribed", "bounced", "complained")
ENGAGEMENT_COUNTERS = ("sent", "delivered", "opened", "clicked", "conversions", "revenue")


class ActivityRecord(Model):
    class Meta(TableMeta):
        table_env = "ACTIVITY_TABLE"

    series = UnicodeAttribute(hash_key=True)
    bucket = UnicodeAttribute(range_key=True)
    sent = NumberAttribute(null=True)
    delivered = NumberAttribute(null=True)
    opened = NumberAttribute(null=True)
    clicked = NumberAttribute(null=True)
    bounced = NumberAttribute(null=True)
    complained = NumberAttribute(null=True)
    unsubscribed = NumberAttribute(null=True)
    subscribed = NumberAttribute(null=True)
    conversions = NumberAttribute(null=True)
    revenue = DecimalAttribute(null=True)
    url = UnicodeAttribute(null=True)  # a link's, on a clicks-per-link item


def hour_of(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H")


def day_of(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


def _shard(bucket: str) -> str:
    return f"{bucket}#{random.randrange(SHARDS)}"  # noqa: S311 - spreading writes, not security


def time_of(record: ActivityRecord) -> str:
    """The hour or day an item counts, whichever of its shards it is."""
    return record.bucket.split("#", 1)[0]


def _adds(counters: dict[str, int | Decimal], names: tuple[str, ...]) -> list:
    return [getattr(ActivityRecord, name).add(value) for name, value in counters.items() if name in names and value]


def add_mailing_event(tx: Transaction, series: str, counters: dict[str, int | Decimal], at: datetime) -> None:
    """Adds a mailing's event counters to its hour and to the audience's day, inside `tx`."""
    every_counter = (*ENGAGEMENT_COUNTERS, "bounced", "complained", "unsubscribed")
    mailing_actions = _adds(counters, every_counter)
    if mailing_actions:
        tx.update(ActivityRecord(series, _shard(hour_of(at))), mailing_actions, add_version_condition=False)
    audience_actions = _adds(counters, ENGAGEMENT_COUNTERS)
    if audience_actions:
        tx.update(ActivityRecord(AUDIENCE, _shard(day_of(at))), audience_actions, add_version_condition=False)


def add_subscription_change(tx: Transaction, counter: str, at: datetime) -> None:
    """Counts a subscriber entering a status (subscribed, unsubscribed, bounced, complained) on the
    audience's day, inside the transaction that changes it."""
    actions = _adds({counter: 1}, SUBSCRIPTION_COUNTERS)
    tx.update(ActivityRecord(AUDIENCE, _shard(day_of(at))), actions, add_version_condition=False)


def add_link_click(series: str, link_id: str, url: str) -> None:
    ActivityRecord(f"{series}#links", link_id).update(
        actions=[ActivityRecord.clicked.add(1), ActivityRecord.url.set(url)], add_version_condition=False
    )


def buckets(series: str, first: str, last: str) -> Iterator[ActivityRecord]:
    """The series' items (every shard) from bucket `first` to `last` (inclusive), in time order."""
    yield from ActivityRecord.query(series, ActivityRecord.bucket.between(first, f"{last}#~"))


def links(series: str) -> Iterator[ActivityRecord]:
    yield from ActivityRecord.query(f"{series}#links")


def counted(record: ActivityRecord, names: tuple[str, ...]) -> dict[str, int | Decimal]:
    return {
        name: (record.revenue or Decimal("0")) if name == "revenue" else int(getattr(record, name) or 0)
        for name in names
    }
