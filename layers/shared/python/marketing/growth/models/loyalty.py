"""Loyalty points: a customer's account, its ledger, and redemptions."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field

from marketing.models import ApiInput, ApiModel
from marketing.money import Amount

IdempotencyKey = Field(
    default=None,
    min_length=1,
    max_length=128,
    pattern=r"^[A-Za-z0-9._:-]+$",
    description="Sending the same key again repeats nothing and returns the first result",
)


class PointsType(StrEnum):
    EARNED = "earned"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    ADJUSTED = "adjusted"


class LoyaltyAccount(ApiModel):
    user_id: str
    balance: int = Field(description="Points available now; always the sum of the account's transactions")
    lifetime_points: int = Field(description="Points ever earned")
    last_activity_at: datetime | None = None
    created_at: datetime | None = None


class LoyaltyTransaction(ApiModel):
    id: str
    type: PointsType
    points: int = Field(description="The change to the balance: negative when points are taken off")
    order_id: str | None = None
    reason: str | None = None
    shortfall: int = Field(default=0, description="Points a reversal could not take back (already spent)")
    created_at: datetime


class PointsEntry(NamedTuple):
    """One change to an account, as it is posted to the ledger once under its key."""

    user_id: str
    key: str  # the idempotency key: an entry is posted at most once per key
    id: str
    type: PointsType
    points: int
    order_id: str | None
    reason: str | None
    shortfall: int  # for a reversal: points already spent, so not taken back
    points_per_unit: Decimal | None  # for an earning: the rate, so a refund takes back at the same rate
    created_at: datetime

    def transaction(self) -> LoyaltyTransaction:
        return LoyaltyTransaction(
            id=self.id,
            type=self.type,
            points=self.points,
            order_id=self.order_id,
            reason=self.reason,
            shortfall=self.shortfall,
            created_at=self.created_at,
        )


class LoyaltyTransactionPage(ApiModel):
    items: list[LoyaltyTransaction]
    next: str | None = None


class RedeemPoints(ApiInput):
    points: int = Field(ge=1, le=100_000_000)
    order_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The order the discount is for: the same order redeems once, and again returns the same result",
    )
    # For a redemption tied to no order: without it (or an order id) a client's retry redeems again.
    idempotency_key: str | None = IdempotencyKey


class PointsRedemption(ApiModel):
    points: int
    discount: Amount
    currency: str
    balance: int
    transaction: LoyaltyTransaction


class PointsAdjustment(ApiInput):
    points: int = Field(description="Points to add (positive) or take off (negative)")
    reason: str = Field(min_length=1, max_length=500)
    idempotency_key: str | None = IdempotencyKey


class AdjustedAccount(ApiModel):
    account: LoyaltyAccount
    transaction: LoyaltyTransaction
