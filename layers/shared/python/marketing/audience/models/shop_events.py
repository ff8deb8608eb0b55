"""The shop's events: what the shop and its CRM publish on the event bus (source `shop`), and
the `detail` schema of each detail type. docs/shop-events.md documents them for the shop's
engineers (a unit test keeps it naming every field).

Details ignore fields they do not know (a shop may add fields before we read them) but refuse
missing or malformed ones: such an event goes to the dead-letter queue with the reason.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marketing.audience.models.consents import ShopConsent
from marketing.audience.models.contacts import Email, LifecycleStage, Tags
from marketing.money import DEFAULT_CURRENCY, Amount, PositiveAmount

Name = Field(default=None, max_length=100)


class EventDetail(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, defer_build=True)


class UserRegistered(EventDetail):
    """A customer created an account in the shop."""

    user_id: str = Field(min_length=1, max_length=128)
    email: Email
    first_name: str | None = Name
    last_name: str | None = Name
    marketing_opt_in: bool = Field(default=False, description="Ticked 'send me news and offers' when registering")
    registered_at: datetime | None = None
    email_verified: bool = Field(
        default=False,
        description="The shop proved the customer owns the address (a verification email): with the "
        "`unverified_only` double opt-in policy, no confirmation is asked for",
    )
    consent: ShopConsent | None = Field(
        default=None, description="How the opt-in was collected: wording version, form, page, IP address, user agent"
    )


class ContactUpserted(EventDetail):
    """The CRM created or changed a contact. Absent fields are left as they are; `tags` replaces."""

    email: Email
    first_name: str | None = Name
    last_name: str | None = Name
    user_id: str | None = Field(default=None, max_length=128)
    lifecycle_stage: LifecycleStage | None = None
    tags: Tags | None = None


class _CurrencyChecked(EventDetail):
    currency: str = Field(default=DEFAULT_CURRENCY, min_length=3, max_length=3)

    @field_validator("currency")
    @classmethod
    def _platform_currency(cls, currency: str) -> str:
        # Lifetime value is one sum in the platform's currency; adding other currencies would lie.
        if currency.upper() != DEFAULT_CURRENCY:
            raise ValueError(f"only {DEFAULT_CURRENCY} orders are counted (got {currency})")
        return currency.upper()


class LineItem(EventDetail):
    """One line of an order. A `gift_card` line buys `quantity` cards of `unit_price` each,
    emailed to `recipient_email` (default: the buyer)."""

    type: Literal["product", "gift_card"] = "product"
    sku: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=200)
    quantity: int = Field(default=1, ge=1, le=100)
    unit_price: Amount
    recipient_email: Email | None = None
    recipient_name: str | None = Name
    sender_name: str | None = Name
    message: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _gift_card_has_value(self) -> Self:
        if self.type == "gift_card" and not Decimal("1.00") <= self.unit_price <= Decimal("10000.00"):
            raise ValueError("a gift card's unit_price must be between 1.00 and 10000.00")
        return self


class OrderPaid(_CurrencyChecked):
    """An order was paid. Counted once per `order_id`, however often the event is delivered."""

    order_id: str = Field(min_length=1, max_length=128)
    email: Email
    user_id: str | None = Field(default=None, max_length=128)
    first_name: str | None = Name
    last_name: str | None = Name
    total: Amount
    paid_at: datetime
    line_items: list[LineItem] = Field(default_factory=list, max_length=200)


class OrderRefunded(_CurrencyChecked):
    """Part or all of a paid order was refunded. Counted once per `refund_id` (default: the
    order id, for shops that refund an order at most once)."""

    order_id: str = Field(min_length=1, max_length=128)
    refund_id: str | None = Field(default=None, max_length=128)
    amount: PositiveAmount
    refunded_at: datetime
    gift_card_amount: Amount | None = Field(
        default=None,
        description="The part of the refund that goes back to the gift cards the order was paid with "
        "(default: as much of the amount as the cards paid)",
    )

    @model_validator(mode="after")
    def _gift_card_part_within_amount(self) -> Self:
        if self.gift_card_amount is not None and self.gift_card_amount > self.amount:
            raise ValueError("gift_card_amount may not be more than amount")
        return self

    @property
    def refund_key(self) -> str:
        return self.refund_id or self.order_id


class CartUpdated(_CurrencyChecked):
    """A customer's cart changed. Remembered per `cart_id`; a cart left alone past the idle
    threshold with no order since starts the abandoned-cart automations."""

    cart_id: str = Field(min_length=1, max_length=128)
    email: Email
    item_count: int = Field(ge=0, description="0: the cart was emptied")
    total: Amount
    cart_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    updated_at: datetime


class CartAbandoned(EventDetail):
    """The shop decided a cart was abandoned: starts the abandoned-cart automations at once."""

    cart_id: str = Field(min_length=1, max_length=128)
    email: Email
    first_name: str | None = Name
    last_name: str | None = Name
    cart_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    abandoned_at: datetime


DETAIL_SCHEMAS: dict[str, type[EventDetail]] = {
    "user.registered": UserRegistered,
    "contact.upserted": ContactUpserted,
    "order.paid": OrderPaid,
    "order.refunded": OrderRefunded,
    "cart.updated": CartUpdated,
    "cart.abandoned": CartAbandoned,
}


class ShopEvent(BaseModel):
    """The EventBridge envelope, as it arrives in an SQS message from a rule."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    time: datetime
    detail: dict
