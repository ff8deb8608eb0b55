"""Loyalty accounts and their points ledger: the only code that knows how they are stored.

An account is keyed by the shop's user id (the `sub` of the customer's token). It is created by
its first credit. Entries are keyed by (user id, idempotency key): `earned:<order>`,
`redeemed:<order>`, `redeemed-key:<client key or random>`, `reversed:<order>:<refund>`, `expired:<inactive since>`,
`referral:<referral>:<side>`, `adjusted:<key>`. See store/ledger.py for the posting rules.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from marketing.growth.models.loyalty import LoyaltyAccount, LoyaltyTransaction, PointsEntry, PointsType
from marketing.growth.store.ledger import Posting, post
from marketing.ids import new_id
from marketing.store.attributes import DecimalAttribute
from marketing.store.listing import newest_first_page
from marketing.store.table_meta import TableMeta

EXPIRY_PARTITION = "points"


class ByActivityIndex(GlobalSecondaryIndex):
    """Accounts by last activity: the daily expiry reads those inactive since a cut-off."""

    class Meta:
        index_name = "by_activity"
        projection = AllProjection()

    expiry_partition = UnicodeAttribute(hash_key=True)
    last_activity_at = UTCDateTimeAttribute(range_key=True)


class LoyaltyAccountRecord(Model):
    class Meta(TableMeta):
        table_env = "LOYALTY_ACCOUNTS_TABLE"

    user_id = UnicodeAttribute(hash_key=True)
    balance = NumberAttribute(default=0)
    lifetime_points = NumberAttribute(default=0)
    last_activity_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    expiry_partition = UnicodeAttribute(null=True)

    by_activity = ByActivityIndex()

    def to_domain(self) -> LoyaltyAccount:
        return LoyaltyAccount(
            user_id=self.user_id,
            balance=int(self.balance or 0),
            lifetime_points=int(self.lifetime_points or 0),
            last_activity_at=self.last_activity_at,
            created_at=self.created_at,
        )


class ByTimeIndex(GlobalSecondaryIndex):
    """An account's entries by time: the customer's history, newest first."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByOrderIndex(GlobalSecondaryIndex):
    """Entries naming an order: a refund finds the points the order earned."""

    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_id = UnicodeAttribute(hash_key=True)


class LoyaltyEntryRecord(Model):
    class Meta(TableMeta):
        table_env = "LOYALTY_TRANSACTIONS_TABLE"

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    type = UnicodeAttribute()
    points = NumberAttribute()
    order_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    shortfall = NumberAttribute(default=0)
    # For an earning: the rate it was earned at, so a refund takes back at the same rate.
    points_per_unit = DecimalAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    by_time = ByTimeIndex()
    by_order = ByOrderIndex()

    def entry(self) -> PointsEntry:
        return PointsEntry(
            user_id=self.user_id,
            key=self.key,
            id=self.id,
            type=PointsType(self.type),
            points=int(self.points),
            order_id=self.order_id,
            reason=self.reason,
            shortfall=int(self.shortfall or 0),
            points_per_unit=self.points_per_unit,
            created_at=self.created_at,
        )

    def to_domain(self) -> LoyaltyTransaction:
        return self.entry().transaction()


def entry(
    user_id: str,
    key: str,
    kind: PointsType,
    points: int,
    now: datetime,
    *,
    order_id: str | None = None,
    reason: str | None = None,
    shortfall: int = 0,
    points_per_unit: Decimal | None = None,
) -> PointsEntry:
    return PointsEntry(
        user_id=user_id,
        key=key,
        id=new_id("ltx"),
        type=kind,
        points=points,
        order_id=order_id,
        reason=reason,
        shortfall=shortfall,
        points_per_unit=points_per_unit,
        created_at=now,
    )


def post_entry(
    entry: PointsEntry, *, activity: bool, earned: bool = False, inactive_since: datetime | None = None
) -> Posting:
    """Posts the entry and its points to the account. A debit needs the balance to cover it.
    `activity` moves the account's last activity (what keeps points from expiring); `earned`
    adds to the lifetime points; `inactive_since` refuses the posting if the account was active
    since (an expiry racing a new order)."""
    model = LoyaltyAccountRecord
    record = LoyaltyEntryRecord(**entry._asdict() | {"type": entry.type.value})
    points = entry.points
    actions = [
        model.balance.add(points),
        model.created_at.set(model.created_at | record.created_at),
        model.expiry_partition.set(EXPIRY_PARTITION),
    ]
    if activity:
        actions.append(model.last_activity_at.set(record.created_at))
    if earned:
        actions.append(model.lifetime_points.add(points))
    conditions = []
    if points < 0:
        conditions.append(model.balance >= -points)
    if inactive_since is not None:
        conditions.append(model.last_activity_at == inactive_since)
    return post(
        record, model(record.user_id), actions, functools.reduce(operator.and_, conditions) if conditions else None
    )


def find_entry(user_id: str, key: str) -> LoyaltyTransaction | None:
    try:
        return LoyaltyEntryRecord.get(user_id, key, consistent_read=True).to_domain()
    except DoesNotExist:
        return None


def account(user_id: str) -> LoyaltyAccount:
    """The account; an account with nothing posted yet reads as empty."""
    try:
        return LoyaltyAccountRecord.get(user_id, consistent_read=True).to_domain()
    except DoesNotExist:
        return LoyaltyAccount(user_id=user_id, balance=0, lifetime_points=0)


def entries_page(
    user_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[LoyaltyTransaction], dict[str, Any] | None]:
    return newest_first_page(LoyaltyEntryRecord.by_time, user_id, limit, start_key)


def all_entries(user_id: str) -> list[LoyaltyTransaction]:
    return [record.to_domain() for record in LoyaltyEntryRecord.query(user_id, consistent_read=True)]


def entries_for_order(order_id: str, user_id: str | None = None) -> list[PointsEntry]:
    """The entries naming `order_id`: from `user_id`'s account, read consistently, when the caller
    knows whose it is; else through the index by order (which may lag behind a moment)."""
    if user_id is None:
        return [record.entry() for record in LoyaltyEntryRecord.by_order.query(order_id)]
    # The keys naming the order (module note): its earning, and each refund's reversal.
    reversals = LoyaltyEntryRecord.query(
        user_id, LoyaltyEntryRecord.key.startswith(f"reversed:{order_id}:"), consistent_read=True
    )
    earned = LoyaltyEntryRecord.query(user_id, LoyaltyEntryRecord.key == f"earned:{order_id}", consistent_read=True)
    return [record.entry() for record in (*earned, *reversals)]


def inactive_accounts(cutoff: datetime) -> Iterator[LoyaltyAccount]:
    """Accounts with points whose last activity was before `cutoff`."""
    query = LoyaltyAccountRecord.by_activity.query(
        EXPIRY_PARTITION,
        LoyaltyAccountRecord.last_activity_at < cutoff,
        filter_condition=LoyaltyAccountRecord.balance > 0,
    )
    for record in query:
        yield record.to_domain()


def forget_user(user_id: str) -> None:
    """Erasure: the account and its ledger go (a shop's records of orders keep what they need)."""
    with LoyaltyEntryRecord.batch_write() as batch:
        for record in LoyaltyEntryRecord.query(user_id):
            batch.delete(record)
    LoyaltyAccountRecord(user_id).delete()
