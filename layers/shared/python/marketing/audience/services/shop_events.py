"""What the audience does with the shop's events.

- `user.registered`: the contact is created or gets the user id and names; with marketing opt-in
  the contact is subscribed (source website), unless the address unsubscribed, is suppressed or
  is on the do-not-email list (an erased contact's address).
- `contact.upserted`: the CRM's fields are applied to the contact with that address.
- `order.paid`: counted once per order id into order_count, lifetime_value and last_order_at
  (a buyer with no contact yet becomes one, stage `customer`).
- `order.paid` is also a conversion of the campaign the contact last clicked (services/conversions).
- `order.paid` also earns loyalty points, completes the buyer's pending referral, and creates and
  emails the gift cards it bought (services/loyalty, referrals, gift_cards).
- `order.refunded`: taken off the lifetime value once per refund; the order count stays (the
  customer did order). A refund for an order not counted yet is retried: events can overtake.
  It also goes back to the gift cards that paid for the order and reverses the order's points.
- `user.registered` starts the active welcome automations for a subscribed contact; `order.paid`
  stops the contact's running abandoned-cart automations (services/automation_runs).
- `cart.updated` and `cart.abandoned`: see services/carts.

Lifecycle stages are the CRM's to set (contact.upserted); orders do not move them.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import BaseModel, ValidationError

from marketing import clock
from marketing.audience.models.shop_events import (
    DETAIL_SCHEMAS,
    CartAbandoned,
    CartUpdated,
    ContactUpserted,
    OrderPaid,
    OrderRefunded,
    ShopEvent,
    UserRegistered,
)
from marketing.aws.workers import problems
from marketing.catalog.topology import SHOP_EVENT_SOURCE
from marketing.clock import Deadline
from marketing.errors import BusinessRuleViolation, Unprocessable, ValidationFailed
from marketing.observability import logger

# Each handler imports the services its event type needs when it first runs: a cart event (the
# most frequent) then never loads what orders need, and a cold start loads none (decision 48).

_PERSON = {"user_id", "first_name", "last_name"}  # what an event may tell about the person


def _user_registered(detail: UserRegistered, event: ShopEvent) -> str:
    from marketing.audience.services import contacts, signups
    from marketing.automations.models.automations import Trigger
    from marketing.automations.services import automation_runs

    contact, outcome = contacts.upsert(detail.email, detail.model_dump(include=_PERSON, exclude_none=True))
    done = f"contact {outcome}"
    if detail.marketing_opt_in:
        try:
            opt_in = signups.opt_in_registered(contact, detail.consent, detail.email_verified, event.id)
            done = f"contact saved; {opt_in.value}"
        except BusinessRuleViolation as refused:  # an unsubscribed, suppressed or do-not-email address stays so
            logger.warning("opt-in ignored", contact_id=contact.id, reason=refused.message)
            done = "contact saved; address unsubscribed, suppressed or on the do-not-email list, not subscribed"
    started = automation_runs.trigger(
        Trigger.USER_REGISTERED, contact.id, f"user:{detail.user_id}", detail.registered_at or event.time
    )
    return "; ".join([done, *started])


def _contact_upserted(detail: ContactUpserted, _event: ShopEvent) -> str:
    from marketing.audience.services import contacts

    _, outcome = contacts.upsert(detail.email, detail.model_dump(exclude={"email"}, exclude_none=True))
    return f"contact {outcome}"


def _order_paid(detail: OrderPaid, _event: ShopEvent) -> str:
    from marketing.audience.models.contacts import LifecycleStage
    from marketing.audience.models.orders import ContactOrder
    from marketing.audience.services import contacts
    from marketing.audience.store import orders
    from marketing.automations.services import automation_runs
    from marketing.campaigns.services import conversions
    from marketing.growth.services import gift_cards, loyalty, referrals

    if orders.is_counted(detail.order_id):
        # Checked first so a redelivery never re-creates a contact erased since (the write
        # below is still conditional: two deliveries at once count once).
        return "order already counted"
    contact, _ = contacts.upsert(
        detail.email,
        {},
        defaults={"lifecycle_stage": LifecycleStage.CUSTOMER, **detail.model_dump(include=_PERSON, exclude_none=True)},
    )
    contact = contacts.link_user(contact, detail.user_id)
    order = ContactOrder(order_id=detail.order_id, total=detail.total, currency=detail.currency, paid_at=detail.paid_at)
    # Before the order is counted: a crash in between is redelivered, and every step is once-only.
    conversions.attribute(contact.id, order)
    automation_runs.stop_for_order(contact.id, detail.order_id, detail.paid_at)
    user_id = detail.user_id or contact.user_id
    done = [
        loyalty.award_for_order(user_id, detail.order_id, detail.total),
        referrals.complete_for_order(user_id, detail.order_id, detail.total),
        gift_cards.issue_purchased(detail),
    ]
    try:
        orders.record_paid(order, contact.id, user_id, clock.utcnow())
    except orders.AlreadyCounted:
        return "order already counted"
    return "; ".join(["order counted", *done])


def _order_refunded(detail: OrderRefunded, _event: ShopEvent) -> str:
    from marketing.audience.store import orders

    # Counted first: a refund the order cannot take (more than is left) changes nothing anywhere.
    # Then each step once per refund key, also on a redelivery of a counted refund, so a crash
    # after the count is finished by the next delivery. An order whose payment has not come (or
    # never comes: a shop may redeem cards without sending its orders) gets its steps now, each
    # bounded by what the order took, and its count is retried.
    try:
        orders.record_refund(detail.order_id, detail.refund_key, detail.amount, clock.utcnow())
        counted = "refund counted"
    except orders.AlreadyCounted:
        counted = "refund counted before"
    except orders.OrderNotKnown:
        _give_back(detail)
        raise
    except ValidationFailed as refused:
        raise Unprocessable(refused.message) from refused
    return f"{counted}; {_give_back(detail)}"


def _give_back(detail: OrderRefunded) -> str:
    """A refund's share back to the gift cards the order was paid with, and its points taken back."""
    from marketing.audience.store import orders
    from marketing.growth.services import gift_cards, loyalty

    to_cards = gift_cards.refund_for_order(
        detail.order_id,
        detail.refund_key,
        detail.amount if detail.gift_card_amount is None else detail.gift_card_amount,
    )
    reversed_points = loyalty.reverse_for_refund(
        detail.order_id, detail.refund_key, detail.amount, orders.paid_by(detail.order_id)
    )
    return f"{to_cards:.2f} back to gift cards; {reversed_points}"


def _cart_updated(detail: CartUpdated, _event: ShopEvent) -> str:
    from marketing.automations.services import carts

    return carts.updated(detail)


def _cart_abandoned(detail: CartAbandoned, _event: ShopEvent) -> str:
    from marketing.automations.services import carts

    return carts.abandoned(detail)


_HANDLERS = {
    "user.registered": _user_registered,
    "contact.upserted": _contact_upserted,
    "order.paid": _order_paid,
    "order.refunded": _order_refunded,
    "cart.updated": _cart_updated,
    "cart.abandoned": _cart_abandoned,
}


class ShopEventMessage(NamedTuple):
    event: ShopEvent
    detail: BaseModel  # the event type's detail model (DETAIL_SCHEMAS)


def parse(body: str) -> ShopEventMessage:
    """An SQS message body from an EventBridge rule as the event and its typed detail;
    Unprocessable names what is wrong."""
    try:
        event = ShopEvent.model_validate_json(body)
    except ValidationError as error:
        raise Unprocessable(f"not an EventBridge event: {problems(error)}") from error
    schema = DETAIL_SCHEMAS.get(event.detail_type)
    if event.source != SHOP_EVENT_SOURCE or schema is None:
        raise Unprocessable(f"no handler for source {event.source!r}, detail-type {event.detail_type!r}")
    try:
        detail = schema.model_validate(event.detail)
    except ValidationError as error:
        raise Unprocessable(f"{event.detail_type} detail: {problems(error)}") from error
    return ShopEventMessage(event, detail)


def handle(message: ShopEventMessage, _deadline: Deadline) -> str:
    """Handles one event; returns what it did. Errors are worth a retry."""
    return _HANDLERS[message.event.detail_type](message.detail, message.event)
