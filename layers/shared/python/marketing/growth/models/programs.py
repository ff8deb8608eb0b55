"""The settings of the loyalty and referral programs (staff), with the defaults a shop starts from."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from marketing.models import ApiInput, ApiModel
from marketing.money import Amount, refuse_float

# A rate, so a decimal string like money: 0.1 as a JSON number is not 0.1. Up to 1000, four places.
Rate = Annotated[
    Decimal,
    BeforeValidator(refuse_float),
    Field(ge=0, le=1000, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,4}(\.\d{1,4})?$", "examples": ["1.5"]}, mode="validation"),
    WithJsonSchema({"type": "string", "examples": ["1.5"]}, mode="serialization"),
]


class LoyaltyProgram(ApiModel):
    enabled: bool = True
    points_per_unit: Rate = Field(default=Decimal(1), description="Points per 1.00 of an order's total")
    redemption_rate: int = Field(default=100, ge=1, le=1_000_000, description="Points per 1.00 of discount")
    min_redeem_points: int = Field(default=100, ge=1, description="The fewest points one redemption may use")
    expiry_months: int | None = Field(
        default=12, ge=1, le=120, description="Points expire after this many months without activity; null: never"
    )
    updated_at: datetime | None = None


class LoyaltyProgramPatch(ApiInput):
    enabled: bool | None = None
    points_per_unit: Rate | None = None
    redemption_rate: int | None = Field(default=None, ge=1, le=1_000_000)
    min_redeem_points: int | None = Field(default=None, ge=1)
    expiry_months: int | None = Field(default=None, ge=1, le=120)


class RewardType(StrEnum):
    DISCOUNT_PERCENT = "discount_percent"
    DISCOUNT_FIXED = "discount_fixed"
    POINTS = "points"


class Reward(ApiModel):
    type: RewardType
    value: Rate = Field(gt=0, le=100_000, description="Percent, amount (2 places) or points, by type")

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        if self.type is RewardType.DISCOUNT_PERCENT and self.value > 100:
            raise ValueError("a percentage discount is at most 100")
        if self.type is RewardType.POINTS and self.value != self.value.to_integral_value():
            raise ValueError("points are whole numbers")
        if self.type is RewardType.DISCOUNT_FIXED and self.value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("an amount has at most 2 decimal places")
        return self


class ReferralProgram(ApiModel):
    enabled: bool = True
    referrer_reward: Reward = Field(default_factory=lambda: Reward(type=RewardType.POINTS, value=Decimal(500)))
    referee_reward: Reward = Field(default_factory=lambda: Reward(type=RewardType.DISCOUNT_PERCENT, value=Decimal(10)))
    min_purchase_amount: Amount = Decimal("20.00")
    expiry_days: int = Field(default=30, ge=1, le=3650, description="A pending referral expires after this many days")
    updated_at: datetime | None = None


class ReferralProgramPatch(ApiInput):
    enabled: bool | None = None
    referrer_reward: Reward | None = None
    referee_reward: Reward | None = None
    min_purchase_amount: Amount | None = None
    expiry_days: int | None = Field(default=None, ge=1, le=3650)
