"""The counters every mailing keeps: a campaign on its item, an automation email on its counters
item. Recipient writes move them (store/recipients, routed by store/mailings), so both kinds of
mailing must have exactly these attributes: both models take them from here."""

from __future__ import annotations

from decimal import Decimal

from pynamodb.attributes import NumberAttribute

from marketing.store.attributes import DecimalAttribute

SEND_COUNTERS = ("sent", "failed", "suppressed")
EVENT_COUNTERS = (
    "delivered",
    "opened",
    "clicked",
    "bounced",
    "complained",
    "unsubscribed",
    "conversions",
    "anonymous_opens",
    "anonymous_clicks",
)


class MailingCounters:
    """Attributes mixed into a PynamoDB model (PynamoDB collects inherited attributes)."""

    sent = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    suppressed = NumberAttribute(default=0)
    delivered = NumberAttribute(default=0)
    opened = NumberAttribute(default=0)
    clicked = NumberAttribute(default=0)
    bounced = NumberAttribute(default=0)
    complained = NumberAttribute(default=0)
    unsubscribed = NumberAttribute(default=0)
    conversions = NumberAttribute(default=0)
    # Every open and click of a recipient whose tracking consent is required and not given:
    # counted per hit, with no per-recipient record (decision 82).
    anonymous_opens = NumberAttribute(default=0)
    anonymous_clicks = NumberAttribute(default=0)
    revenue = DecimalAttribute(default=lambda: Decimal("0"))

    def counted(self, names: tuple[str, ...]) -> dict[str, int]:
        return {name: int(getattr(self, name) or 0) for name in names}
