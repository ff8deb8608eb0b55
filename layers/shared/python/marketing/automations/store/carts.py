"""Carts, as `cart.updated` events describe them: the latest state of each cart, and an index of
the open ones by when they last changed, which is how the abandoned-carts schedule finds the idle.

The index is sparse: only an open cart with items has `open_since` set (the attribute the index is
keyed on), so a cart leaves the index when it is emptied, ordered or found abandoned. An older
event than the one stored changes nothing (events can overtake each other).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from marketing.automations.models.carts import Cart
from marketing.store.attributes import DecimalAttribute
from marketing.store.conditions import applied
from marketing.store.table_meta import TableMeta

OPEN = "open"


class OpenCartsIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "open_by_updated"
        projection = AllProjection()

    open_since = UnicodeAttribute(hash_key=True)  # "open" on every indexed cart: one partition
    updated_at = UTCDateTimeAttribute(range_key=True)


class CartRecord(Model):
    class Meta(TableMeta):
        table_env = "CARTS_TABLE"

    cart_id = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute()
    email = UnicodeAttribute()
    item_count = NumberAttribute()
    total = DecimalAttribute()
    cart_url = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    open_since = UnicodeAttribute(null=True)
    abandoned_at = UTCDateTimeAttribute(null=True)

    by_open = OpenCartsIndex()

    def to_domain(self) -> Cart:
        return Cart(
            cart_id=self.cart_id,
            contact_id=self.contact_id,
            item_count=int(self.item_count),
            total=self.total,
            cart_url=self.cart_url,
            updated_at=self.updated_at,
            abandoned_at=self.abandoned_at,
        )


def remember(
    cart_id: str, contact_id: str, email: str, item_count: int, total: Decimal, cart_url: str | None, at: datetime
) -> bool:
    """Stores the cart's state as of `at`; False if a newer state is stored already."""
    item = CartRecord(
        cart_id,
        contact_id=contact_id,
        email=email,
        item_count=item_count,
        total=total,
        cart_url=cart_url,
        updated_at=at,
        open_since=OPEN if item_count > 0 else None,
    )
    return applied(lambda: item.save(condition=CartRecord.cart_id.does_not_exist() | (CartRecord.updated_at < at)))


def idle_since(before: datetime) -> Iterator[Cart]:
    """Open carts with items, unchanged since before `before`, oldest first."""
    for record in CartRecord.by_open.query(OPEN, CartRecord.updated_at < before):
        yield record.to_domain()


def close(cart: Cart, abandoned_at: datetime | None) -> bool:
    """Takes the cart out of the open index (found abandoned, or ordered); False if it changed
    since it was read (a newer update keeps it open)."""
    actions = [CartRecord.open_since.remove()]
    if abandoned_at is not None:
        actions.append(CartRecord.abandoned_at.set(abandoned_at))
    return applied(
        lambda: CartRecord(cart.cart_id).update(
            actions=actions,
            condition=CartRecord.updated_at == cart.updated_at,
            add_version_condition=False,
        )
    )


def find(cart_id: str) -> Cart | None:
    try:
        return CartRecord.get(cart_id, consistent_read=True).to_domain()
    except CartRecord.DoesNotExist:
        return None


def _of_contact(contact_id: str) -> list[CartRecord]:
    return list(CartRecord.scan(filter_condition=CartRecord.contact_id == contact_id))


def of_contact(contact_id: str) -> list[Cart]:
    """The contact's carts (export and erasure; a rare full scan)."""
    return [record.to_domain() for record in _of_contact(contact_id)]


def forget_contact(contact_id: str) -> None:
    with CartRecord.batch_write() as batch:
        for record in _of_contact(contact_id):
            batch.delete(record)
