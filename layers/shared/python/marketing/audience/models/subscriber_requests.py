"""What the subscriber and preference routes take and return besides a subscriber: only the API
loads these, not the workers that check subscriptions before a send (decision 48)."""

from pydantic import Field

from marketing.audience.models.consents import ConsentFields
from marketing.audience.models.subscribers import Subscriber, SubscriberStatus
from marketing.models import ApiInput, ApiModel, NextCursor


class PreferencesPatch(ApiInput):
    transactional: bool | None = None
    promotional: bool | None = None
    newsletter: bool | None = None
    tracking_consent: bool | None = Field(
        default=None,
        description="give (true) or withdraw (false) consent to record opens and clicks per person; "
        "kept on the subscriber (its tracking_consent), not in these preferences",
    )


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
    consent: ConsentFields | None = Field(
        default=None,
        description="How the shop asked for the consent (wording version, form, page); the customer's IP address "
        "and user agent, if the shop's server calls on their behalf (default: the request's)",
    )


class SubscriberPage(ApiModel):
    items: list[Subscriber]
    next: NextCursor = None
