"""Money: a Decimal with two places, a decimal string on the wire, a DynamoDB number in storage.
Never a float: a float amount in a request is refused rather than rounded."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

DEFAULT_CURRENCY = "GBP"
CENT = Decimal("0.01")


def refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings, e.g. "12.50", not as numbers')
    return value


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


Amount = Annotated[
    Decimal,
    BeforeValidator(refuse_float),
    Field(ge=0, max_digits=14, decimal_places=2, json_schema_extra={"type": "string", "example": "12.50"}),
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str),
]


def _more_than_zero(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise ValueError("must be more than 0")
    return amount


PositiveAmount = Annotated[Amount, AfterValidator(_more_than_zero)]

# A change to a balance (a ledger entry): negative when it takes money off.
SignedAmount = Annotated[
    Decimal,
    BeforeValidator(refuse_float),
    Field(max_digits=14, decimal_places=2, json_schema_extra={"type": "string", "example": "-5.00"}),
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str),
]
