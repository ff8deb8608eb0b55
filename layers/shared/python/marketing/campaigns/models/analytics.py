"""The counters of a mailing (a campaign, or one email of an automation) and the rates drawn from
them. Their own module: automations reuse them without loading the campaign models."""

from decimal import Decimal

from pydantic import Field, computed_field

from marketing.models import ApiModel
from marketing.money import Amount


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class CampaignAnalytics(ApiModel):
    """Counters kept as events happen; opens and clicks are unique per recipient, except the
    anonymous ones (recipients not tracked per person for want of their consent)."""

    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    conversions: int = 0
    anonymous_opens: int = Field(
        default=0,
        description="Opens of recipients not tracked per person (tracking consent required and not given): "
        "every open counts, not unique per recipient; not in opened nor in the rates",
    )
    anonymous_clicks: int = Field(
        default=0,
        description="Clicks of recipients not tracked per person: every click counts, not unique per recipient; "
        "not in clicked nor in the rates",
    )
    revenue: Amount = Decimal("0.00")
    currency: str = "GBP"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def delivery_rate(self) -> float:
        return _rate(self.delivered, self.sent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_rate(self) -> float:
        return _rate(self.opened, self.delivered or self.sent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def click_rate(self) -> float:
        return _rate(self.clicked, self.delivered or self.sent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def click_to_open_rate(self) -> float:
        return _rate(self.clicked, self.opened)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def bounce_rate(self) -> float:
        return _rate(self.bounced, self.sent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complaint_rate(self) -> float:
        return _rate(self.complained, self.sent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unsubscribe_rate(self) -> float:
        return _rate(self.unsubscribed, self.sent)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def conversion_rate(self) -> float:
        return _rate(self.conversions, self.delivered or self.sent)
