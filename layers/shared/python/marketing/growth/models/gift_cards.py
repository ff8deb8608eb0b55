"""Gift cards: the card, its ledger, creating and redeeming."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field, field_validator

from marketing.audience.models.contacts import Email
from marketing.models import ApiInput, ApiModel
from marketing.money import DEFAULT_CURRENCY, Amount, PositiveAmount, SignedAmount

Currency = Field(default=DEFAULT_CURRENCY, pattern=r"^[A-Z]{3}$", description="ISO 4217")
MAX_CARD_AMOUNT = Decimal("10000.00")


class GiftCardStatus(StrEnum):
    ACTIVE = "active"
    REDEEMED = "redeemed"  # balance 0; a refund makes it active again
    EXPIRED = "expired"
    DISABLED = "disabled"


class GiftCardSource(StrEnum):
    STAFF = "staff"
    PURCHASE = "purchase"


class GiftCardTransactionType(StrEnum):
    PURCHASE = "purchase"
    REDEMPTION = "redemption"
    REFUND = "refund"


class GiftCardCreate(ApiInput):
    amount: PositiveAmount
    currency: str = Currency
    expires_at: datetime | None = Field(default=None, description="Default: never")
    recipient_email: Email | None = None
    note: str | None = Field(default=None, max_length=500)

    @field_validator("amount")
    @classmethod
    def _not_too_much(cls, amount: Decimal) -> Decimal:
        if amount > MAX_CARD_AMOUNT:
            raise ValueError(f"at most {MAX_CARD_AMOUNT}")
        return amount


class GiftCardTransaction(ApiModel):
    id: str
    type: GiftCardTransactionType
    amount: SignedAmount = Field(description="The change to the balance: negative for a redemption")
    order_id: str | None = None
    created_at: datetime


class GiftCard(ApiModel):
    id: str
    code_hint: str = Field(description="The code's last four characters; the code itself is shown once")
    initial_balance: Amount
    balance: Amount
    currency: str
    status: GiftCardStatus
    expires_at: datetime | None = None
    source: GiftCardSource
    order_id: str | None = Field(default=None, description="The order that bought it")
    recipient_email: str | None = None
    email_status: str | None = Field(
        default=None,
        description="For a purchased card: pending, sending, sent, or `not sent: <why>`",
    )
    note: str | None = None
    created_at: datetime


class Greeting(NamedTuple):
    """What a purchased card's email says besides the card: from whom, to whom, and their message."""

    recipient_name: str | None = None
    sender_name: str | None = None
    message: str | None = None


class NewGiftCard(NamedTuple):
    """A card as it is issued: its code is derived and shown once, only its hash and hint stored."""

    id: str
    code_hash: str
    code_hint: str
    amount: Decimal
    currency: str
    expires_at: datetime | None
    source: GiftCardSource
    created_at: datetime
    order_id: str | None = None
    recipient_email: str | None = None
    greeting: Greeting = Greeting()
    email_status: str | None = None  # "pending" for a card whose email is still to go
    note: str | None = None


class CreatedGiftCard(GiftCard):
    code: str = Field(description="Shown now and never again: give it to the customer")


class GiftCardDetail(GiftCard):
    transactions: list[GiftCardTransaction]


class GiftCardPage(ApiModel):
    items: list[GiftCard]
    next: str | None = None


class GiftCardRedeem(ApiInput):
    amount: PositiveAmount
    order_id: str = Field(min_length=1, max_length=128, description="Charges once per order, however often sent")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="Must be the card's, if given")


class GiftCardRedemption(ApiModel):
    gift_card_id: str
    order_id: str
    amount: Amount
    currency: str
    balance: Amount = Field(description="What is left on the card")
    transaction: GiftCardTransaction


class GiftCardLookup(ApiInput):
    code: str = Field(min_length=4, max_length=64)
