"""The contact model, the marketing copy of a CRM contact, and the field types of an address and
of tags. What only the contact routes take and return is in contact_requests."""

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import AfterValidator, Field

from marketing.audience.models.subscribers import SubscriberStatus
from marketing.models import ApiModel
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

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("may not contain line breaks or other control characters")
    return value


# A display name that goes into an email header (From): a line break there would end the header.
DisplayName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_one_line)]
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


class ContactFacts(NamedTuple):
    """What criteria look at, for one contact (read in bulk while evaluating a segment)."""

    id: str
    lifecycle_stage: str
    tags: frozenset[str]
    order_count: int
    lifetime_value: Decimal
    last_order_at: datetime | None
    subscription_status: str | None
