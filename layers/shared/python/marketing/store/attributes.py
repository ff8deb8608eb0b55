"""PynamoDB attributes the platform needs beyond the built-in ones."""

from __future__ import annotations

from decimal import Decimal

from pynamodb.attributes import Attribute
from pynamodb.constants import NUMBER


class DecimalAttribute(Attribute[Decimal]):
    """An exact decimal stored as a DynamoDB number (PynamoDB's NumberAttribute goes through float)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)
