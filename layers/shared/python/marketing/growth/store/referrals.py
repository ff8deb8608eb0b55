"""Referral codes and referrals: the only code that knows how they are stored.

A referrer's code is two items written together: code → user (so a code names one customer) and
user → code (so a customer has one code, however many first calls race). A referral is keyed by
its referee, which is the one-referral-per-referee rule. Sparse indexes hold the work of the
daily run: pending referrals by expiry, completed ones whose rewards are due.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from marketing.errors import BusinessRuleViolation, Conflict
from marketing.growth.codes import normalise
from marketing.growth.models.referrals import IssuedReward, Referral, ReferralStatus
from marketing.store.conditions import applied, on_condition_failure, transact
from marketing.store.listing import NewestFirstIndex, newest_first_page
from marketing.store.table_meta import TableMeta

LISTING_PARTITION = "referral"
PENDING = ReferralStatus.PENDING.value
QUEUED = "queued"  # the partition of the sparse work indexes


class ReferralCodeRecord(Model):
    class Meta(TableMeta):
        table_env = "REFERRAL_CODES_TABLE"

    key = UnicodeAttribute(hash_key=True)  # "code#<normalised code>" or "user#<user id>"
    code = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class ByReferrerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_referrer"
        projection = AllProjection()

    referrer_user_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class PendingByExpiryIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "pending_by_expiry"
        projection = KeysOnlyProjection()

    pending = UnicodeAttribute(hash_key=True)
    expires_at = UTCDateTimeAttribute(range_key=True)


class RewardsDueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "rewards_due"
        projection = KeysOnlyProjection()

    rewards_due = UnicodeAttribute(hash_key=True)
    completed_at = UTCDateTimeAttribute(range_key=True)


class ReferralRecord(Model):
    class Meta(TableMeta):
        table_env = "REFERRALS_TABLE"

    referee_user_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute()
    listing = UnicodeAttribute(default=LISTING_PARTITION)
    code = UnicodeAttribute()
    referrer_user_id = UnicodeAttribute()
    referee_email = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=PENDING)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    referrer_reward = UnicodeAttribute(null=True)  # IssuedReward as JSON
    referee_reward = UnicodeAttribute(null=True)
    rewards_issued_at = UTCDateTimeAttribute(null=True)
    pending = UnicodeAttribute(null=True)
    rewards_due = UnicodeAttribute(null=True)

    by_created = NewestFirstIndex()
    by_referrer = ByReferrerIndex()
    pending_by_expiry = PendingByExpiryIndex()
    rewards_due_index = RewardsDueIndex()

    def to_domain(self) -> Referral:
        def reward(raw: str | None) -> IssuedReward | None:
            return IssuedReward.model_validate_json(raw) if raw else None

        return Referral(
            id=self.id,
            code=self.code,
            referrer_user_id=self.referrer_user_id,
            referee_user_id=self.referee_user_id,
            referee_email=self.referee_email,
            status=ReferralStatus(self.status),
            created_at=self.created_at,
            expires_at=self.expires_at,
            completed_at=self.completed_at,
            order_id=self.order_id,
            referrer_reward=reward(self.referrer_reward),
            referee_reward=reward(self.referee_reward),
            rewards_issued_at=self.rewards_issued_at,
        )


def _code_key(code: str) -> str:
    return f"code#{normalise(code)}"


def _user_key(user_id: str) -> str:
    return f"user#{user_id}"


def code_of(user_id: str) -> ReferralCodeRecord | None:
    try:
        return ReferralCodeRecord.get(_user_key(user_id), consistent_read=True)
    except DoesNotExist:
        return None


def owner_of(code: str) -> ReferralCodeRecord | None:
    try:
        return ReferralCodeRecord.get(_code_key(code), consistent_read=True)
    except DoesNotExist:
        return None


def create_code(user_id: str, email: str | None, code: str, now: datetime) -> bool:
    """Gives the user `code`; False if the user got a code meanwhile or the code is taken."""
    fields = {"code": code, "user_id": user_id, "email": email, "created_at": now}
    by_code = ReferralCodeRecord(_code_key(code), **fields)
    by_user = ReferralCodeRecord(_user_key(user_id), **fields)

    def write(tx) -> None:
        tx.save(by_code, ReferralCodeRecord.key.does_not_exist())
        tx.save(by_user, ReferralCodeRecord.key.does_not_exist())

    return not transact(ReferralCodeRecord.Meta.region, write)


def create(referral: Referral) -> Referral:
    record = ReferralRecord(
        referral.referee_user_id,
        id=referral.id,
        code=referral.code,
        referrer_user_id=referral.referrer_user_id,
        referee_email=referral.referee_email,
        status=PENDING,
        created_at=referral.created_at,
        expires_at=referral.expires_at,
        pending=QUEUED,
    )
    with on_condition_failure(BusinessRuleViolation("a referral code was applied to this account already")):
        record.save(ReferralRecord.referee_user_id.does_not_exist())
    return record.to_domain()


def of_referee(user_id: str) -> Referral | None:
    try:
        return ReferralRecord.get(user_id, consistent_read=True).to_domain()
    except DoesNotExist:
        return None


def of_referrer(user_id: str, limit: int) -> list[Referral]:
    query = ReferralRecord.by_referrer.query(user_id, scan_index_forward=False, limit=limit)
    return [record.to_domain() for record in query]


def complete(referee_user_id: str, order_id: str, now: datetime) -> bool:
    """Completes the referee's pending, unexpired referral with the order; False if there is none
    (already completed by this or another order, expired, or never applied)."""
    model = ReferralRecord
    return applied(
        lambda: model(referee_user_id).update(
            actions=[
                model.status.set(ReferralStatus.COMPLETED.value),
                model.completed_at.set(now),
                model.order_id.set(order_id),
                model.pending.remove(),
                model.rewards_due.set(QUEUED),
            ],
            condition=(model.status == PENDING) & (model.expires_at > now),
        )
    )


def expire_pending(now: datetime) -> int:
    model = ReferralRecord
    expired = 0
    for item in model.pending_by_expiry.query(QUEUED, model.expires_at <= now):
        expired += applied(
            lambda item=item: model(item.referee_user_id).update(
                actions=[model.status.set(ReferralStatus.EXPIRED.value), model.pending.remove()],
                condition=(model.status == PENDING) & (model.expires_at <= now),
            )
        )
    return expired


def rewards_due() -> Iterator[str]:
    """Referee user ids of completed referrals whose rewards were not issued yet."""
    for item in ReferralRecord.rewards_due_index.query(QUEUED):
        yield item.referee_user_id


def record_reward(referee_user_id: str, side: str, reward: IssuedReward) -> None:
    """Records the reward of one side (`referrer` or `referee`) unless one was recorded already."""
    model = ReferralRecord
    attribute = getattr(model, f"{side}_reward")
    applied(
        lambda: model(referee_user_id).update(
            actions=[attribute.set(reward.model_dump_json())], condition=attribute.does_not_exist()
        )
    )


def rewards_issued(referee_user_id: str, now: datetime) -> None:
    model = ReferralRecord
    with on_condition_failure(Conflict("both rewards must be recorded first")):
        model(referee_user_id).update(
            actions=[model.rewards_issued_at.set(now), model.rewards_due.remove()],
            condition=model.referrer_reward.exists() & model.referee_reward.exists(),
        )


def list_page(
    status: ReferralStatus | None, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[Referral], dict[str, Any] | None]:
    only = ReferralRecord.status == status.value if status is not None else None
    return newest_first_page(ReferralRecord.by_created, LISTING_PARTITION, limit, start_key, filter_condition=only)


def forget_user(user_id: str) -> None:
    """Erasure: the user's code and the referral they applied go. Referrals made with their code
    stay for the friends who made them, naming the referrer only by user id."""
    code = code_of(user_id)
    if code is not None:
        ReferralCodeRecord(_code_key(code.code)).delete()
        ReferralCodeRecord(_user_key(user_id)).delete()
    ReferralRecord(user_id).delete()
