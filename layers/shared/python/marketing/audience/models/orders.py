"""A contact's orders, as counted into its statistics."""

from datetime import datetime
from decimal import Decimal

from marketing.models import ApiModel
from marketing.money import DEFAULT_CURRENCY, Amount


class ContactOrder(ApiModel):
    """An order counted into the contact's statistics."""

    order_id: str
    total: Amount
    refunded: Amount = Decimal("0.00")
    currency: str = DEFAULT_CURRENCY
    paid_at: datetime
