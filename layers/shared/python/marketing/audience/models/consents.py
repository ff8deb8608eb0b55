"""The consent log: how, when and from where each subscriber said yes or no (issue 19, decision 85).

Append-only: every subscribe, confirmation, unsubscribe and preference change adds one entry, in
the same transaction as the change it records (audience/store/subscribers.py). It is what a shop
shows a regulator who asks for proof of a person's consent, so an entry says who acted, by what
method, from which form, page, import or email, with the request's IP address and user agent
where there was a request, and the version of the consent wording the person was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from ipaddress import ip_address
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from marketing.audience.models.subscribers import Preferences, SubscriberStatus
from marketing.models import ApiInput, ApiModel, NextCursor


class ConsentEvent(StrEnum):
    SIGNUP = "signup"  # asked to subscribe; the subscription waits for the confirmation (double opt-in)
    SUBSCRIBED = "subscribed"  # subscribed at once (single opt-in)
    CONFIRMED = "confirmed"  # the double opt-in link was followed: subscribed
    UNSUBSCRIBED = "unsubscribed"  # or suppressed: the method says which (bounce, complaint)
    PREFERENCES_CHANGED = "preferences_changed"  # email types, or consent to tracking


class ConsentMethod(StrEnum):
    SIGNUP_FORM = "signup_form"  # the shop's website form (POST signup/)
    CUSTOMER_ACCOUNT = "customer_account"  # the signed-in customer (POST subscribers/)
    SHOP_REGISTRATION = "shop_registration"  # the box ticked at registration (user.registered)
    IMPORT = "import"  # a contact import, with the consent the file states
    STAFF = "staff"  # staff through the API or the console
    CONFIRMATION_LINK = "confirmation_link"  # the double opt-in email's link
    UNSUBSCRIBE_PAGE = "unsubscribe_page"  # the footer's unsubscribe link, then its button
    ONE_CLICK = "one_click"  # the mail client's List-Unsubscribe-Post (RFC 8058)
    MAILTO = "mailto"  # an email to the List-Unsubscribe mailto address
    PREFERENCE_CENTRE = "preference_centre"
    BOUNCE = "bounce"  # SES: a permanent bounce suppressed the address
    COMPLAINT = "complaint"  # SES: the recipient marked an email as spam


def _ip(value: str | None) -> str | None:
    return None if value is None else str(ip_address(value))


IpAddress = Annotated[str | None, AfterValidator(_ip)]


class ConsentFields(ApiInput):
    """What a shop knows about how a person consented, sent with a subscription: the signup
    form's (POST signup/), the customer's (POST subscribers/), `user.registered`'s."""

    wording_version: str | None = Field(
        default=None, max_length=100, description="Version of the consent text the person was shown (e.g. 2026-11)"
    )
    form_id: str | None = Field(default=None, max_length=100, description="Which of the shop's forms")
    page: str | None = Field(default=None, max_length=2000, description="URL of the page the form was on")
    ip_address: IpAddress = Field(
        default=None, description="The person's IP address when consenting; default: the request's"
    )
    user_agent: str | None = Field(
        default=None, max_length=500, description="The person's browser when consenting; default: the request's"
    )


class ShopConsent(ConsentFields):
    """ConsentFields in a shop event: unknown fields ignored, as everywhere in the shop's events."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


@dataclass(frozen=True)
class ConsentContext:
    """How a change of subscription was asked for: what its log entry says besides the change."""

    method: ConsentMethod
    actor: str  # "subscriber", "customer:<user id>", "staff:<principal>", "shop", "ses", "import:<id>"
    source: str | None = None  # form and page, import, email (mailing), shop event
    ip_address: str | None = None
    user_agent: str | None = None
    wording_version: str | None = None
    at: datetime | None = None  # when the person consented, where earlier than the change (a signup)

    @classmethod
    def from_fields(cls, method: ConsentMethod, actor: str, fields: ConsentFields | None, **request: str | None):
        """The context of a subscription that came with `fields`, the request's IP address and user
        agent standing in for those the fields do not give."""
        fields = fields or ConsentFields()
        where = " ".join(part for part in (fields.form_id and f"form {fields.form_id}", fields.page) if part)
        return cls(
            method=method,
            actor=actor,
            source=where or None,
            ip_address=fields.ip_address or request.get("ip_address"),
            user_agent=fields.user_agent or request.get("user_agent"),
            wording_version=fields.wording_version,
        )


class ConsentEntry(ApiModel):
    """One entry of a contact's consent log."""

    contact_id: str
    at: datetime
    event: ConsentEvent
    method: ConsentMethod
    actor: str = Field(description='Who acted: "subscriber", "customer:<user id>", "staff:<id>", "shop", "ses", …')
    source: str | None = Field(default=None, description="The form and page, import, email or event it came from")
    ip_address: str | None = None
    user_agent: str | None = None
    wording_version: str | None = Field(default=None, description="Version of the consent text shown")
    status: SubscriberStatus | None = Field(
        description="The subscription's status after this entry (null: none yet, as when a signup awaits confirmation)"
    )
    preferences: Preferences | None = Field(default=None, description="The email types chosen, after this entry")
    tracking_consent: bool | None = Field(default=None, description="Consent to tracking after this entry")

    @classmethod
    def of(cls, context: ConsentContext, event: ConsentEvent, contact_id: str, at: datetime, **state) -> ConsentEntry:
        return cls(
            contact_id=contact_id,
            at=context.at or at,
            event=event,
            method=context.method,
            actor=context.actor,
            source=context.source,
            ip_address=context.ip_address,
            user_agent=context.user_agent,
            wording_version=context.wording_version,
            **state,
        )


class ConsentPage(ApiModel):
    items: list[ConsentEntry] = Field(description="Newest first")
    next: NextCursor = None
