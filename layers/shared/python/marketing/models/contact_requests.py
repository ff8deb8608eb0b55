"""What the contact routes take and return besides a contact: only the API (and the services that
create contacts) load these, not the workers that send (decision 48)."""

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from marketing.models.base import ApiInput, ApiModel, NextCursor
from marketing.models.contacts import Contact, Email, LifecycleStage, Tags
from marketing.money import Amount


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


class ContactPage(ApiModel):
    items: list[Contact]
    next: NextCursor = None
