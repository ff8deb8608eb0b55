"""A contact's shopping carts, as the shop's events describe them."""

from datetime import datetime

from marketing.models import ApiModel
from marketing.money import Amount


class Cart(ApiModel):
    """A cart as the shop's `cart.updated` events last described it."""

    cart_id: str
    contact_id: str
    item_count: int
    total: Amount
    cart_url: str | None
    updated_at: datetime
    abandoned_at: datetime | None
