"""Subscriber and email-preference models: whether, and which, marketing email an address gets.
What only the routes take and return is in subscriber_requests."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from marketing.models import ApiModel


class SubscriberStatus(StrEnum):
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"


SUPPRESSED = {SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}
# An address its owner or SES took off the list: what the do-not-email list keeps for it.
OPTED_OUT = {SubscriberStatus.UNSUBSCRIBED, *SUPPRESSED}


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
    tracking_consent: bool | None = Field(
        default=None,
        description="consent to record opens and clicks per person: true given, false withdrawn, "
        "null never asked (reads as not given)",
    )
    tracking_consent_at: datetime | None = Field(default=None, description="when consent was last given or withdrawn")
    created_at: datetime
    updated_at: datetime


def tracks_person(subscriber: Subscriber | None, consent_required: bool) -> bool:
    """Whether opens and clicks of this subscriber may be recorded per person: always when consent
    is not required; when it is, only with consent given (never asked reads as not given; no
    subscriber at all, e.g. an erased contact, too)."""
    if not consent_required:
        return True
    return subscriber is not None and subscriber.tracking_consent is True
