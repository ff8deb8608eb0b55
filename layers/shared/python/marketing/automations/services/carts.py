"""Abandoned carts: the shop says so (`cart.abandoned`), or a cart goes idle.

`cart.updated` events are remembered per cart. Every 15 minutes the abandoned-carts schedule
looks at the open carts unchanged for CART_IDLE_MINUTES (default 60): a cart whose contact has
paid an order since it last changed was bought, and is closed; any other is abandoned, and
starts the same trigger as `cart.abandoned`. The trigger key is the cart id, so a cart starts
an automation once however it is found abandoned, and however often.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from marketing import clock
from marketing.audience.services import contacts
from marketing.audience.store import contacts as contact_store
from marketing.automations.models.automations import Trigger
from marketing.automations.models.carts import Cart
from marketing.automations.services import automation_runs
from marketing.automations.store import carts as cart_store
from marketing.errors import NotFound

if TYPE_CHECKING:  # the event models are the shop-events worker's; others need not load them
    from marketing.audience.models.shop_events import CartAbandoned, CartUpdated

DEFAULT_IDLE_MINUTES = 60
_PERSON = {"first_name", "last_name"}


def idle_after() -> timedelta:
    return timedelta(minutes=float(os.environ.get("CART_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)))


def _cart_fields(cart_id: str, cart: Cart | None, url: str | None) -> dict[str, object]:
    """What an abandoned-cart email can show of the cart: `{{ cart.url }}`, `{{ cart.total }}`..."""
    return {
        "cart": {
            "id": cart_id,
            "url": url or (cart.cart_url if cart else None) or "",
            "total": f"{cart.total:.2f}" if cart else "",
            "item_count": int(cart.item_count) if cart else 0,
        }
    }


def updated(detail: CartUpdated) -> str:
    contact, _ = contacts.upsert(detail.email, {})
    stored = cart_store.remember(
        detail.cart_id, contact.id, detail.email, detail.item_count, detail.total, detail.cart_url, detail.updated_at
    )
    return f"cart {detail.cart_id} remembered" if stored else f"cart {detail.cart_id}: a newer state is stored"


def abandoned(detail: CartAbandoned) -> str:
    contact, _ = contacts.upsert(detail.email, detail.model_dump(include=_PERSON, exclude_none=True))
    cart = cart_store.find(detail.cart_id)
    outcomes = automation_runs.trigger(
        Trigger.CART_ABANDONED,
        contact.id,
        f"cart:{detail.cart_id}",
        detail.abandoned_at,
        _cart_fields(detail.cart_id, cart, detail.cart_url),
    )
    if cart is not None:
        cart_store.close(cart, detail.abandoned_at)
    return "; ".join(outcomes) or "no active abandoned-cart automation"


def find_abandoned(now: datetime | None = None) -> dict[str, int]:
    """The schedule's work: triggers for the carts idle past the threshold; what it found."""
    now = now or clock.utcnow()
    found = {"abandoned": 0, "ordered": 0}
    for cart in cart_store.idle_since(now - idle_after()):
        try:
            contact = contact_store.get(cart.contact_id)
        except NotFound:  # erased since: nobody to write to
            cart_store.close(cart, None)
            continue
        if contact.last_order_at is not None and contact.last_order_at >= cart.updated_at:
            cart_store.close(cart, None)
            found["ordered"] += 1
            continue
        automation_runs.trigger(
            Trigger.CART_ABANDONED, contact.id, f"cart:{cart.cart_id}", now, _cart_fields(cart.cart_id, cart, None)
        )
        cart_store.close(cart, now)
        found["abandoned"] += 1
    return found
