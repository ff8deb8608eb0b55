"""Double opt-in: a request to subscribe that waits for its owner's confirmation (issue 19).

A signup holds what the subscription will be (address, name, email types) and how it was asked for
(the consent log's first entry once confirmed). It lives 7 days at most: the confirmation link's
validity, after which DynamoDB's TTL deletes it, and the reads treat it as gone already.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from marketing.audience.models.consents import ConsentContext, ConsentFields
from marketing.audience.models.contacts import Email
from marketing.audience.models.subscriber_requests import PreferencesPatch
from marketing.models import ApiModel

CONFIRMATION_VALIDITY = timedelta(days=7)


class Signup(ApiModel):
    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    user_id: str | None = None
    preferences: PreferencesPatch | None = None
    request: ConsentContext  # how the person asked, `at` the time: the consent log's signup entry
    confirmed_at: datetime | None = None

    @property
    def requested_at(self) -> datetime:
        assert self.request.at is not None
        return self.request.at

    @property
    def expires_at(self) -> datetime:
        return self.requested_at + CONFIRMATION_VALIDITY


def asked_for(preferences: PreferencesPatch | None) -> str:
    """What a confirmation asks the person to agree to, in words: the email types the form ticked
    (all of them if it said nothing) and, if the form gave it, consent to record opens and clicks.
    Whoever filled in the form may not be the address's owner: the owner confirms what they read."""
    chosen = preferences or PreferencesPatch()
    kinds = [
        kind
        for kind, wanted in (("newsletter", chosen.newsletter), ("offers", chosen.promotional))
        if wanted is not False
    ]
    what = " and ".join(kinds) or "emails"
    if chosen.tracking_consent:
        what += ", with the opens and clicks of our emails recorded for you"
    return what


class SignupRequest(ConsentFields):
    """The shop's signup form, posted by the visitor's browser or the shop's server."""

    email: Email
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    preferences: PreferencesPatch | None = Field(
        default=None, description="The email types ticked on the form (default: all)"
    )
    website: str | None = Field(
        default=None,
        max_length=500,
        description="Honeypot: leave it out. Forms hide this field from people; a bot that fills it in is "
        "answered as anyone else and nothing is sent.",
    )


class SignupAccepted(ApiModel):
    """The same answer for every address, known or not, valid or suppressed: no enumeration."""

    status: str = Field(default="pending_confirmation")
    message: str = Field(
        default="Thanks! If this address can receive our emails, a confirmation link is on its way: "
        "the subscription starts when it is clicked."
    )
