"""Subscriber and email-preference models: whether, and which, marketing email an address gets."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from marketing.models.base import ApiInput, ApiModel


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


class PreferencesPatch(ApiInput):
    transactional: bool | None = None
    promotional: bool | None = None
    newsletter: bool | None = None


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


class SubscriberPatch(ApiInput):
    status: SubscriberStatus | None = Field(
        default=None, description="bounced and complained addresses cannot be set back to subscribed"
    )
    preferences: PreferencesPatch | None = None


class SubscribeRequest(ApiInput):
    """The signed-in customer subscribes; their address and user id come from the token."""

    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    preferences: PreferencesPatch | None = None


class SubscriberPage(ApiModel):
    items: list[Subscriber]
    next: str | None = Field(default=None, description="Cursor for the next page; absent on the last page.")
