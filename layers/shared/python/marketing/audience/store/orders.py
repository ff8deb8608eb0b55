"""Orders counted into contact statistics: the only code that knows how they are stored.

One item per paid order. Writing it (on the condition that it does not exist yet) and changing the
contact's order count and lifetime value happen in one transaction, so a redelivered `order.paid`
can never count twice, and a crash between the two writes cannot happen. Refunds are remembered on
the order by refund key, in the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from marketing.audience.models.orders import ContactOrder
from marketing.audience.store import contacts
from marketing.errors import Conflict, ValidationFailed
from marketing.store.attributes import DecimalAttribute
from marketing.store.conditions import transaction
from marketing.store.table_meta import TableMeta


class AlreadyCounted(Conflict):
    """The order (or refund) was counted before: a redelivery, nothing to do."""


class OrderNotKnown(Exception):
    """A refund for an order not counted (yet): events may arrive out of order, so it is retried."""


class ByContactIndex(GlobalSecondaryIndex):
    """A contact's orders (export, erasure)."""

    class Meta:
        index_name = "by_contact"
        projection = KeysOnlyProjection()

    contact_id = UnicodeAttribute(hash_key=True)


class OrderRecord(Model):
    class Meta(TableMeta):
        table_env = "ORDERS_TABLE"

    order_id = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute(null=True)  # removed on erasure; the order then counts for no one
    # The shop account that paid (its points are reversed on a refund); removed on erasure too.
    user_id = UnicodeAttribute(null=True)
    total = DecimalAttribute()
    refunded = DecimalAttribute()
    currency = UnicodeAttribute()
    paid_at = UTCDateTimeAttribute()
    refund_keys = UnicodeSetAttribute(default=set)

    by_contact = ByContactIndex()

    def to_domain(self) -> ContactOrder:
        return ContactOrder(
            order_id=self.order_id,
            total=self.total,
            refunded=self.refunded,
            currency=self.currency,
            paid_at=self.paid_at,
        )


def is_counted(order_id: str) -> bool:
    return OrderRecord.count(order_id, consistent_read=True) > 0


def record_paid(order: ContactOrder, contact_id: str, user_id: str | None, now: datetime) -> None:
    """Counts a paid order for the contact (and the shop account that paid, if any); AlreadyCounted
    if it was counted before."""
    record = OrderRecord(
        order.order_id, contact_id=contact_id, user_id=user_id, **order.model_dump(exclude={"order_id"})
    )
    with transaction(OrderRecord.Meta.region) as tx:
        tx.save(record, OrderRecord.order_id.does_not_exist(), AlreadyCounted(f"order {order.order_id} counted"))
        contacts.add_orders(tx, contact_id, orders=1, value=order.total, ordered_at=order.paid_at, now=now)


def paid_by(order_id: str) -> str | None:
    """The shop account that paid a counted order, if it was known (orders counted before it was
    kept say None)."""
    try:
        return OrderRecord.get(order_id, consistent_read=True, attributes_to_get=["user_id"]).user_id
    except DoesNotExist:
        return None


def record_refund(order_id: str, refund_key: str, amount: Decimal, now: datetime) -> None:
    """Takes a refund off the order's contact's lifetime value, once per refund key."""
    try:
        record = OrderRecord.get(order_id, consistent_read=True)
    except DoesNotExist as exc:
        raise OrderNotKnown(f"order {order_id} has not been counted as paid") from exc
    if refund_key in (record.refund_keys or set()):
        raise AlreadyCounted(f"refund {refund_key} of order {order_id} counted")
    remaining = record.total - record.refunded
    if amount > remaining:
        raise ValidationFailed.field("amount", f"more than the {remaining:.2f} left to refund on order {order_id}")
    with transaction(OrderRecord.Meta.region) as tx:
        # Read-then-write on `refunded`: a concurrent refund of the same order fails here and retries.
        tx.update(
            record,
            [OrderRecord.refunded.set(record.refunded + amount), OrderRecord.refund_keys.add({refund_key})],
            OrderRecord.refunded == record.refunded,
            Conflict(f"order {order_id} was refunded concurrently"),
        )
        if record.contact_id:
            contacts.add_orders(tx, record.contact_id, orders=0, value=-amount, ordered_at=None, now=now)


def for_contact(contact_id: str) -> list[ContactOrder]:
    keys = [item.order_id for item in OrderRecord.by_contact.query(contact_id)]
    orders = [record.to_domain() for record in OrderRecord.batch_get(keys)]
    return sorted(orders, key=lambda order: order.paid_at)


def forget_contact(contact_id: str) -> None:
    """Erasure: the orders stay (so a redelivered event still counts once) but name no one."""
    for item in OrderRecord.by_contact.query(contact_id):
        OrderRecord(item.order_id).update(actions=[OrderRecord.contact_id.remove(), OrderRecord.user_id.remove()])
