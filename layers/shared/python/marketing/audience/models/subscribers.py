"""Subscriber and email-preference models: whether, and which, marketing email an address gets.
What only the routes take and return is in subscriber_requests."""

from datetime import datetime
from enum import StrEnum

from marketing.models import ApiModel


class SubscriberStatus(StrEnum):
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"


SUPPRESSED = {SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}


class SubscriberSource(StrEnum):
    WEBSITE = "website"
    IMPORT = "import"
    API = "api"


class Preferences(ApiModel):
    """Per email type. Transactional mail ignores these opt-outs, never suppression (SPEC, Email)."""

    transactional: bool = True
    promotional: bool = True
    newsletter: bool = True


class Subscriber(ApiModel):
    id: str
    email: str
    contact_id: str
    user_id: str | None
    status: SubscriberStatus
    source: SubscriberSource
    preferences: Preferences
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None
    created_at: datetime
    updated_at: datetime
