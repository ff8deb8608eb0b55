"""Contact request and response models: the marketing copy of a CRM contact."""

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import AfterValidator, Field

from marketing.models.base import ApiInput, ApiModel
from marketing.models.subscribers import SubscriberStatus
from marketing.money import DEFAULT_CURRENCY, Amount

# Deliberately permissive (RFC 5322 allows far more than shops see) but rejects what cannot be
# delivered: no spaces, one @, a dotted domain.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def _valid_email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        tag = tag.strip().lower()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


Email = Annotated[str, Field(max_length=254, examples=["ada@example.com"]), AfterValidator(_valid_email)]
Tags = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=50)]], Field(max_length=50), AfterValidator(_clean_tags)
]


def email_key(email: str) -> str:
    """What makes two addresses the same contact: the address, case-insensitively."""
    return email.strip().lower()


class LifecycleStage(StrEnum):
    LEAD = "lead"
    CUSTOMER = "customer"
    REPEAT_CUSTOMER = "repeat_customer"
    VIP = "vip"
    CHURNED = "churned"


class ContactCreate(ApiInput):
    email: Email
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    user_id: str | None = Field(default=None, max_length=128, description="The shop's user id, if any")
    lifecycle_stage: LifecycleStage = LifecycleStage.LEAD
    tags: Tags = Field(default_factory=list)
    order_count: int = Field(default=0, ge=0)
    lifetime_value: Amount = Decimal("0.00")
    last_order_at: datetime | None = None


class ContactPatch(ApiInput):
    email: Email | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    user_id: str | None = Field(default=None, max_length=128)
    lifecycle_stage: LifecycleStage | None = None
    tags: Tags | None = None
    order_count: int | None = Field(default=None, ge=0)
    lifetime_value: Amount | None = None
    last_order_at: datetime | None = None


class Contact(ApiModel):
    id: str
    email: str
    first_name: str
    last_name: str
    user_id: str | None
    lifecycle_stage: LifecycleStage
    tags: list[str]
    order_count: int
    lifetime_value: Amount
    currency: str = DEFAULT_CURRENCY
    last_order_at: datetime | None
    subscription_status: SubscriberStatus | None = Field(
        default=None, description="The contact's subscriber status; absent if never subscribed"
    )
    created_at: datetime
    updated_at: datetime


class ContactPage(ApiModel):
    items: list[Contact]
    next: str | None = Field(default=None, description="Cursor for the next page; absent on the last page.")


class ContactOrder(ApiModel):
    """An order counted into the contact's statistics."""

    order_id: str
    total: Amount
    refunded: Amount = Decimal("0.00")
    currency: str = DEFAULT_CURRENCY
    paid_at: datetime


class ContactFacts(NamedTuple):
    """What criteria look at, for one contact (read in bulk while evaluating a segment)."""

    id: str
    lifecycle_stage: str
    tags: frozenset[str]
    order_count: int
    lifetime_value: Decimal
    last_order_at: datetime | None
    subscription_status: str | None
