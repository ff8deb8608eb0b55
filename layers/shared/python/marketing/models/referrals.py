"""Referrals: a customer's code, the referrals made with it, and the rewards they earned."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from marketing.models.base import ApiInput, ApiModel
from marketing.models.programs import RewardType


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


class MyReferralCode(ApiModel):
    code: str = Field(description="Share it: a friend applies it before their first order")
    created_at: datetime
    referrals: list[Referral] = Field(description="Referrals made with the code, newest first (up to 50)")
    referred_by: Referral | None = Field(default=None, description="The referral the customer applied, if any")


class ApplyReferral(ApiInput):
    code: str = Field(min_length=4, max_length=64)
