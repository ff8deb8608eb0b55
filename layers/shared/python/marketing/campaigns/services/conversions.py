"""Conversions: an order paid soon after a click in an email is that email's mailing's (a campaign,
or an automation email).

Last click wins: the order goes to the email the contact clicked last, if that click
was at most the attribution window (default 5 days, ATTRIBUTION_WINDOW_DAYS) before the payment.
Each order counts once however often its event arrives (the recipient remembers the orders it
was credited with, in the same transaction as the campaign's counters). Revenue is added in the
campaign's currency; an order in another currency counts as a conversion without revenue.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

from marketing.audience.models.orders import ContactOrder
from marketing.audience.store import contacts as contact_store
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.store import mailings, recipients
from marketing.errors import NotFound
from marketing.observability import metrics

DEFAULT_WINDOW_DAYS = 5
CLOCK_SKEW = timedelta(minutes=5)  # the shop's clock and ours may disagree a little


def attribution_window() -> timedelta:
    return timedelta(days=float(os.environ.get("ATTRIBUTION_WINDOW_DAYS", DEFAULT_WINDOW_DAYS)))


def attribute(contact_id: str, order: ContactOrder) -> str | None:
    """Credits `order` to the campaign the contact last clicked, if in the window; returns that
    campaign's id (also when it was credited before), or None."""
    click = contact_store.last_click(contact_id)
    if click is None:
        return None
    campaign_id, clicked_at = click
    if not (clicked_at - CLOCK_SKEW <= order.paid_at <= clicked_at + attribution_window()):
        return None
    mailing = MailingRef.named(campaign_id)
    try:
        currency = mailings.currency(mailing)
    except NotFound:
        return None
    revenue = order.total if order.currency == currency else Decimal("0")
    counted = recipients.record_conversion(mailing, contact_id, order.order_id, revenue)
    if counted:
        metrics.add_metric(name="Conversions", unit="Count", value=1)
    return campaign_id
