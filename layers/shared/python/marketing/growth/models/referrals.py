"""Referrals: a customer's code, the referrals made with it, and the rewards they earned."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field

from marketing.growth.models.programs import RewardType
from marketing.models import ApiInput, ApiModel


class ReferralStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"


class IssuedReward(ApiModel):
    """A reward given: points credited to the loyalty account, or a single-use discount code."""

    type: RewardType
    value: Decimal
    discount_code: str | None = None
    issued_at: datetime


class Referral(ApiModel):
    id: str
    code: str
    referrer_user_id: str
    referee_user_id: str
    referee_email: str | None = None
    status: ReferralStatus
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None
    order_id: str | None = Field(default=None, description="The referee's order that completed it")
    referrer_reward: IssuedReward | None = None
    referee_reward: IssuedReward | None = None
    rewards_issued_at: datetime | None = Field(default=None, description="Set by the daily reward run, once")


class ReferralPage(ApiModel):
    items: list[Referral]
    next: str | None = None


class _CustomerSide(ApiModel):
    """What a customer sees of a referral they share with someone else: its state and dates, never
    the other side's identity, order or reward (SPEC, Privacy)."""

    id: str
    code: str
    status: ReferralStatus
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None
    rewards_issued_at: datetime | None = None

    @classmethod
    def of(cls, referral: Referral) -> Self:
        """The customer's side of `referral`: the fields of this view, nothing else."""
        return cls.model_validate(referral.model_dump(include=set(cls.model_fields)))


class ReferralAsReferrer(_CustomerSide):
    """A referral made with the customer's code, as its referrer sees it."""

    referrer_reward: IssuedReward | None = Field(default=None, description="The customer's own reward, once issued")


class ReferralAsReferee(_CustomerSide):
    """The referral the customer applied, as the referee sees it."""

    referee_reward: IssuedReward | None = Field(default=None, description="The customer's own reward, once issued")


class MyReferralCode(ApiModel):
    code: str = Field(description="Share it: a friend applies it before their first order")
    created_at: datetime
    referrals: list[ReferralAsReferrer] = Field(description="Referrals made with the code, newest first (up to 50)")
    referred_by: ReferralAsReferee | None = Field(default=None, description="The referral the customer applied, if any")


class ApplyReferral(ApiInput):
    code: str = Field(min_length=4, max_length=64)
