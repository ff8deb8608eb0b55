"""What the contact routes take and return besides a contact: only the API (and the services that
create contacts) load these, not the workers that send (decision 48)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from marketing.audience.models.contacts import Contact, Email, LifecycleStage, Tags
from marketing.models import ApiInput, ApiModel, NextCursor
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


def _refuse_change(_value: Any) -> Any:
    raise PydanticCustomError(
        "read_only", "read-only: the platform derives it from the shop's events (orders, accounts)"
    )


# A field a contact's PATCH names only to be told it cannot change it: the order statistics and the
# shop account come from the shop's events, so a hand edit would silently disagree with them.
DerivedField = Annotated[
    Any,
    BeforeValidator(_refuse_change),
    Field(default=None, json_schema_extra={"readOnly": True}, description="Read-only: set by the shop's events"),
]


class ContactPatch(ApiInput):
    email: Email | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    lifecycle_stage: LifecycleStage | None = None
    tags: Tags | None = None
    user_id: DerivedField
    order_count: DerivedField
    lifetime_value: DerivedField
    last_order_at: DerivedField


class ContactPage(ApiModel):
    items: list[Contact]
    next: NextCursor = None
