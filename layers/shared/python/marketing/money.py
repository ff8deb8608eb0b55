"""Money: a Decimal with two places, a decimal string on the wire, a DynamoDB number in storage.
Never a float: a float amount in a request is refused rather than rounded."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

DEFAULT_CURRENCY = "GBP"
CENT = Decimal("0.01")
# What the OpenAPI document says an amount is, in standard JSON Schema a client generator reads:
# a decimal string of up to 14 digits, two after the point (what a request may send: the validation
# also takes a whole number, refuses a float), and always two places in a response.
_SENT = r"\d{1,12}(\.\d{1,2})?"
_ANSWERED = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["12.50"]}


def refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings, e.g. "12.50", not as numbers')
    return value


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


Amount = Annotated[
    Decimal,
    BeforeValidator(refuse_float),
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": f"^{_SENT}$", "examples": ["12.50"]}, mode="validation"),
    WithJsonSchema(_ANSWERED, mode="serialization"),
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
    Field(max_digits=14, decimal_places=2),
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": f"^-?{_SENT}$", "examples": ["-5.00"]}, mode="validation"),
    WithJsonSchema({**_ANSWERED, "examples": ["-5.00"]}, mode="serialization"),
]
