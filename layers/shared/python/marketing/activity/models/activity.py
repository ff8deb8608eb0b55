"""What the charts read: a mailing's activity over time, its clicks per link, the audience by day."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from marketing.models import ApiModel
from marketing.money import Amount


class TimelineBucket(ApiModel):
    start: datetime = Field(description="Start of the hour (or day) the counters are for, UTC")
    sent: int = 0
    delivered: int = 0
    opened: int = Field(default=0, description="First opens of recipients in this bucket")
    clicked: int = Field(default=0, description="First clicks of recipients in this bucket")
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    conversions: int = 0
    revenue: Amount = Decimal("0.00")


class MailingTimeline(ApiModel):
    """By the hour for the first three days after the send started, by the day after that."""

    granularity: Literal["hour", "day"]
    buckets: list[TimelineBucket]


class EmailTimeline(MailingTimeline):
    order: int = Field(description="The email's place in the series")


class AutomationTimeline(ApiModel):
    """Each email of the series, over the last 30 days (or since the automation was made)."""

    emails: list[EmailTimeline]


class LinkClicks(ApiModel):
    url: str
    clicks: int = Field(description="Clicks counted on this link (repeats of one reader included, within limits)")


class MailingLinks(ApiModel):
    links: list[LinkClicks] = Field(description="Most clicked first")


class AudienceDay(ApiModel):
    date: date
    subscribed: int = 0
    unsubscribed: int = 0
    bounced: int = 0
    complained: int = 0
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    conversions: int = 0
    revenue: Amount = Decimal("0.00")


class AudienceActivity(ApiModel):
    """Every day of the period, oldest first (days without activity are zeros)."""

    days: list[AudienceDay]
