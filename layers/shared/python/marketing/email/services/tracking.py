"""What the links in an email do: record opens and clicks, unsubscribe, change preferences.

Each first open, first click and unsubscribe of a recipient counts once for its campaign (the
recipient's marker and the campaign counter change in one transaction); repeats only add to the
recipient's own counts, and past the first few at most once an hour (store/recipients.py: a
script fetching the pixel in a loop makes reads, not writes). A first open is recorded a few
seconds later, with others, by the opens worker (services/opens.py); the pixel answers at once. A
click is recorded at once and marks the campaign as the contact's latest click, which an order in
the next days is attributed to; it also counts as an open (images are often blocked), queued as
the pixel's is.

With tracking consent required (TRACKING_CONSENT_REQUIRED) a recipient who has not given it is not
tracked per person: each open or click only adds one to the mailing's anonymous_opens or
anonymous_clicks (every hit, not unique), and to the per-link click chart; the recipient record,
the contact's latest click and the unique counters stay untouched. The pixel and the redirect
answer the same either way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from marketing import clock, config
from marketing.activity.store import activity
from marketing.audience.models.consents import ConsentContext
from marketing.audience.models.subscriber_requests import PreferencesPatch
from marketing.audience.models.subscribers import Preferences, Subscriber, SubscriberStatus, tracks_person
from marketing.audience.services import subscribers
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.campaigns.store import recipients
from marketing.campaigns.store.mailings import activity_series
from marketing.campaigns.store.recipients import Engagement
from marketing.email.links import CLICK, OPEN, PREFERENCES, UNSUBSCRIBE, Tracked, email_links, link_id
from marketing.email.services import opens
from marketing.email.store import links as link_store
from marketing.observability import logger, metrics
from marketing.tokens import InvalidToken


def _tracked_per_person(contact_id: str) -> bool:
    """Whether this recipient's opens and clicks may be recorded per person (the subscriber is
    read only when consent is required)."""
    if not config.tracking_consent_required():
        return True
    return tracks_person(subscriber_store.find(subscriber_store.subscriber_id(contact_id)), True)


def record_open(token: str) -> None:
    """Records an open if the token is ours; anything else is ignored (the pixel is served anyway)."""
    try:
        tracked = email_links().verify(OPEN, token)
    except InvalidToken:
        return
    if not tracked.contact_id:
        return
    if not _tracked_per_person(tracked.contact_id):
        recipients.record_anonymous(tracked.mailing, tracked.contact_id, "anonymous_opens")
    else:
        now = clock.utcnow()
        if recipients.record_open(tracked.mailing, tracked.contact_id, now, first_later=True) is Engagement.FIRST_LATER:
            opens.queue(tracked.mailing, tracked.contact_id, now)


def _count_link_click(tracked: Tracked, url: str) -> None:
    """Clicks per link, for the charts: a failure here loses a count, never the reader's redirect."""
    try:
        activity.add_link_click(activity_series(tracked.mailing), tracked.link_id or link_id(url), url)
    except Exception:
        logger.exception("a click per link was not counted", mailing=tracked.mailing.id)
        metrics.add_metric(name="LinkClicksNotCounted", unit="Count", value=1)


def record_click(token: str) -> str:
    """The registered link to send the reader to; InvalidToken if the token is not one of ours or
    names no registered link (nothing is recorded then)."""
    tracked = email_links().verify(CLICK, token)
    url = link_store.url_of(tracked.link_id) if tracked.link_id else None
    if url is None:
        raise InvalidToken("not a link written in a template")
    if tracked.contact_id and not _tracked_per_person(tracked.contact_id):
        if recipients.record_anonymous(tracked.mailing, tracked.contact_id, "anonymous_clicks"):
            _count_link_click(tracked, url)  # per link, nobody's: the charts stay whole
    elif tracked.contact_id:
        now = clock.utcnow()
        click = recipients.record_click(tracked.mailing, tracked.contact_id, now)
        if click.click is Engagement.FIRST:
            metrics.add_metric(name="EmailsClicked", unit="Count", value=1)
        if click.first_open:
            opens.queue(tracked.mailing, tracked.contact_id, now)
        if click.click in (Engagement.FIRST, Engagement.REPEAT):  # the latest click, which an order is attributed to
            contact_store.record_click(tracked.contact_id, tracked.campaign_id, now)
            _count_link_click(tracked, url)
    return url


class Audience(NamedTuple):
    """Who a footer link belongs to, as its page shows them."""

    email: str
    subscribed: bool
    preferences: Preferences
    tracking_consent: bool | None = None


def _subscriber_of(tracked: Tracked) -> Subscriber | None:
    if not tracked.contact_id:
        return None
    return subscriber_store.find(subscriber_store.subscriber_id(tracked.contact_id))


def audience(purpose: str, token: str) -> Audience | None:
    """The subscriber a footer link is for (None: no subscription, e.g. a test send or erased);
    InvalidToken if the token is not one of ours for `purpose`."""
    subscriber = _subscriber_of(email_links().verify(purpose, token))
    if subscriber is None:
        return None
    return _audience(subscriber)


def _audience(subscriber: Subscriber) -> Audience:
    subscribed = subscriber.status == SubscriberStatus.SUBSCRIBED
    return Audience(subscriber.email, subscribed, subscriber.preferences, subscriber.tracking_consent)


def unsubscribe(token: str, how: ConsentContext) -> Audience | None:
    """Unsubscribes the link's subscriber (idempotent) and counts it once for the campaign."""
    subscriber, _ = unsubscribe_recipient(email_links().verify(UNSUBSCRIBE, token), how)
    if subscriber is None:
        return None
    return Audience(subscriber.email, False, subscriber.preferences, subscriber.tracking_consent)


def unsubscribe_recipient(tracked: Tracked, how: ConsentContext) -> tuple[Subscriber | None, bool]:
    """Unsubscribes the recipient a verified link or mailto address names (idempotent), counted
    once for its mailing: the subscriber after it (None if there is no subscription, as for a test
    send), and whether this was the mailing's first unsubscribe by that recipient. The consent log
    names the mailing as its source."""
    subscriber = _subscriber_of(tracked)
    if subscriber is None:
        return None, False
    subscriber = subscribers.unsubscribe(subscriber.id, replace(how, source=f"email {tracked.campaign_id}"))
    return subscriber, recipients.record_unsubscribe(tracked.mailing, tracked.contact_id, clock.utcnow())


def update_preferences(token: str, patch: PreferencesPatch, how: ConsentContext) -> Audience | None:
    tracked = email_links().verify(PREFERENCES, token)
    subscriber = _subscriber_of(tracked)
    if subscriber is None:
        return None
    return _audience(
        subscribers.change_preferences(subscriber, patch, replace(how, source=f"email {tracked.campaign_id}"))
    )
