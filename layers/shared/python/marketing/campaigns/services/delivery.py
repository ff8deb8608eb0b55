"""Delivering email: check, claim, render, send, record. One path for every mailing: a batch of a
campaign's recipients (services/campaign_delivery.py), or one email of an automation run
(services/automation_delivery.py).

Per batch of up to 50 recipients: one batch read each of the contacts, their subscribers and the
do-not-email list (suppression is decided now, not when the segment was expanded, so an
unsubscribe a minute ago counts), one claim transaction, the SES sends (several at once, paced),
one result transaction. The claim is what makes a redelivered or duplicated batch send nothing
twice, and SES's Send events settle the claims of a worker that died mid-batch (store/recipients).

A send SES refuses for good (bad address, rejected) fails that recipient with the reason. A send
SES cannot take now (throttled) is retried here with backoff, then handed to a new message with
a longer delay; after MAX_ATTEMPTS the recipient is failed with the reason, and
`retry-failed/` can hand it back. A send never tried (no slot of the account's send rate came in
the invocation's time, or its time ran out first) is no attempt: it goes on at once, in a new
message of the same attempt, and never fails for it. Nothing is lost on the way: results are
recorded even when the batch stops early (time running out, an unexpected error). A send whose
answer never came back (SendOutcomeUnknown), or that met an error nobody expects, may have been
taken by SES: its claim stays and the batch's message fails, so SQS hands it out again and, past
the lease, SES's Send event says whether it was sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Any, NamedTuple

from marketing import clock
from marketing.audience.models.contacts import Contact
from marketing.audience.models.subscribers import Subscriber
from marketing.audience.store import subscribers as subscriber_store
from marketing.aws.ses import SendRefused, SendRetryable, send_raw
from marketing.campaigns.models.mailings import MailingKind, MailingRef
from marketing.campaigns.models.recipients import RecipientStatus, SuppressionReason
from marketing.campaigns.services.send_rate import NoSendSlot, SharedPacer, shared_pacer
from marketing.campaigns.store import recipients
from marketing.clock import Deadline
from marketing.config import NO_POSTAL_ADDRESS, EmailSettings
from marketing.email.links import email_links
from marketing.email.models.templates import EmailTemplate
from marketing.email.services import email_message, suppression
from marketing.email.store import templates as template_store
from marketing.errors import ConfigError
from marketing.ids import new_id
from marketing.observability import logger, metrics

MAX_ATTEMPTS = 4
RETRY_DELAYS_SECONDS = (30, 120, 600)  # before attempts 2, 3 and 4 (SQS allows up to 900)
PAUSED = "the campaign was paused"  # the reason of a send a pause stopped (never a final failure)
# The reason of a send never tried: no slot of the send rate came in the invocation's time, or its
# time ran out first. Not an attempt: it goes on at once, as the same attempt, and never fails.
NOT_TRIED = "the batch stopped before this send"
# The reason of a claim left by a dead worker before SES took the email, whose contact may no
# longer get it: not sent, and never sent later (retry-failed checks suppression again).
SUPPRESSED_SINCE = "not sent: the contact was suppressed before the send could be made again"
IMMEDIATE_RETRIES = 3  # retries of a throttled send at new slots before it waits for a later message
STOP_WITH_SECONDS_LEFT = 20  # leave time to record results before Lambda's timeout
# A claim older than this belongs to a worker that is gone: longer than the worker's timeout, and
# long enough for SES's Send event of an email it accepted to have been recorded.
CLAIM_LEASE = timedelta(minutes=15)
TEMPLATE_CACHE_SECONDS = 60
# SES calls in flight per function: each send mostly waits on the network, so one at a time would
# hold a function (and its bill) for ~50 ms per email and cap it far below the account's rate.
SEND_THREADS = 8

_templates: dict[str, tuple[float, EmailTemplate]] = {}


class Mailing(NamedTuple):
    """What one send needs besides its recipients: the mailing they are kept under and counted
    for, and the sender."""

    ref: MailingRef
    from_name: str
    from_address: str
    reply_to: str | None = None
    subject: str | None = None  # overrides the template's


class Delivery(NamedTuple):
    """What became of the contacts handed to `deliver_to`."""

    results: list[recipients.Result]  # of the sends made now
    suppressed: dict[str, SuppressionReason]
    handled_before: int  # claimed by an earlier attempt: nothing done now

    def count(self, status: RecipientStatus) -> int:
        return sum(1 for result in self.results if result.status == status)


def postal_address(settings: EmailSettings) -> str:
    """The shop's postal address, which every marketing email's footer carries. Campaigns and
    automations are refused without one before they start (decision 81); one that started before
    the deployment lost it fails its batch here, before any claim, and is retried (then kept on the
    dead-letter queue) until it is configured again: never sent without the address."""
    if settings.postal_address is None:
        raise ConfigError(f"nothing sent: {NO_POSTAL_ADDRESS}")
    return settings.postal_address


def cached_template(template_id: str) -> EmailTemplate:
    """A mailing's template, read once a minute per container rather than once per batch."""
    cached = _templates.get(template_id)
    if cached is None or cached[0] < time.monotonic():
        cached = (time.monotonic() + TEMPLATE_CACHE_SECONDS, template_store.get(template_id))
        _templates[template_id] = cached
    return cached[1]


def _send(
    settings: EmailSettings, sender_pace: SharedPacer, from_address: str, to: str, mime: bytes, deadline: Deadline
) -> str:
    """One SES send at the next of this function's slots of the account's rate; a throttled send
    tries again at a new slot, taken at the rate SES is read to allow now. SendRetryable if SES
    still will not take it, or no slot comes while the invocation has time."""
    for retry in range(IMMEDIATE_RETRIES + 1):
        sender_pace.wait(at_most=deadline.seconds_left() - STOP_WITH_SECONDS_LEFT, again=retry > 0)
        try:
            return send_raw(from_address, to, mime, settings.configuration_set)
        except SendRetryable:
            metrics.add_metric(name="SesThrottled", unit="Count", value=1)
            sender_pace.throttled()
            if retry == IMMEDIATE_RETRIES:
                raise
    raise AssertionError("unreachable")


def _deliver_one(
    settings: EmailSettings,
    mailing: Mailing,
    mail_template: EmailTemplate,
    contact: Contact,
    subscriber: Subscriber | None,
    attempt_id: str,
    sender_pace: SharedPacer,
    extra_fields: Mapping[str, Any] | None,
    deadline: Deadline,
) -> recipients.Result:
    envelope = email_message.Envelope(
        campaign_id=mailing.ref.id,
        contact_id=contact.id,
        to=contact.email,
        from_name=mailing.from_name,
        from_address=mailing.from_address,
        reply_to=mailing.reply_to,
        subject=mailing.subject,
    )
    try:
        composed = email_message.compose(
            mail_template,
            contact.model_dump(),
            envelope,
            email_links(),
            settings.shop_name,
            settings.public_base_url,
            extra_fields,
            postal_address=postal_address(settings),
            subscribed=email_message.Subscribed.of(subscriber) if subscriber is not None else None,
            unsubscribe_mail_domain=settings.unsubscribe_mail_domain,
        )
    except Exception as exc:  # the template cannot render this contact's data: no retry will help
        return recipients.Result(
            contact.id, attempt_id, RecipientStatus.FAILED, reason=f"template failed to render: {exc}"
        )
    try:
        message_id = _send(settings, sender_pace, mailing.from_address, contact.email, composed.mime, deadline)
    except SendRefused as exc:
        return recipients.Result(contact.id, attempt_id, RecipientStatus.FAILED, reason=f"SES refused the email: {exc}")
    except NoSendSlot:
        return recipients.Result(contact.id, attempt_id, RecipientStatus.PENDING, reason=NOT_TRIED)
    except SendRetryable as exc:
        return recipients.Result(
            contact.id, attempt_id, RecipientStatus.PENDING, reason=f"SES did not take it now: {exc}"
        )
    # Anything else (SES's answer lost on the way back, an error of ours) may have followed SES
    # taking the email: it is raised, so the claim stays until SES's Send event settles it.
    return recipients.Result(contact.id, attempt_id, RecipientStatus.SENT, message_id=message_id)


class Retry(NamedTuple):
    contact_ids: list[str]
    attempt: int
    delay_seconds: int


def retries(results: list[recipients.Result], attempt: int) -> list[Retry]:
    """Where the sends to try again go: those SES could not take now to the next attempt, after its
    delay; those never tried (NOT_TRIED) on at once, as the same attempt. Paused ones are not here."""
    pending = [result for result in results if result.status == RecipientStatus.PENDING]
    later = [result.contact_id for result in pending if result.reason != NOT_TRIED]
    now = [result.contact_id for result in pending if result.reason == NOT_TRIED]
    return [
        *([Retry(later, attempt + 1, RETRY_DELAYS_SECONDS[attempt - 1])] if later else []),
        *([Retry(now, attempt, 0)] if now else []),
    ]


def _final(result: recipients.Result, attempt: int) -> recipients.Result:
    if result.status != RecipientStatus.PENDING or attempt < MAX_ATTEMPTS or result.reason in (PAUSED, NOT_TRIED):
        return result
    return recipients.Result(
        result.contact_id,
        result.attempt_id,
        RecipientStatus.FAILED,
        reason=f"gave up after {MAX_ATTEMPTS} attempts: {result.reason}",
    )


def _settle_abandoned(
    mailing: MailingRef, claims: list[recipients.Claim], claimed: set[str], attempt_id: str, now: datetime
) -> list[str]:
    """Claims of this batch left by a worker that died: those SES confirmed (Send event) are
    recorded as sent (also where an event of that email, a bounce, overtook the claim); the others
    were never accepted and are taken over to be sent now, unless the contact may no longer get the
    email (suppressed since): that one is recorded as not sent."""
    suppressed_now = {claim.contact_id for claim in claims if claim.suppressed}
    others = [claim.contact_id for claim in claims if claim.contact_id not in claimed]
    abandoned = recipients.interrupted(mailing, others, now - CLAIM_LEASE)
    if not abandoned:
        return []
    accepted = [item for item in abandoned if item.ses_accepted_at is not None]
    never_sent = [item for item in abandoned if item.ses_accepted_at is None]
    results = [recipients.Result(item.contact_id, item.attempt_id or "", RecipientStatus.SENT) for item in accepted]
    results += [
        recipients.Result(item.contact_id, item.attempt_id or "", RecipientStatus.FAILED, reason=SUPPRESSED_SINCE)
        for item in never_sent
        if item.contact_id in suppressed_now
    ]
    recipients.record_results(mailing, results, now)
    resend = [item for item in never_sent if item.contact_id not in suppressed_now]
    logger.warning(
        "settled abandoned claims",
        confirmed_by_ses=len(accepted),
        resent=len(resend),
        suppressed_since=len(never_sent) - len(resend),
    )
    return recipients.reclaim(mailing, resend, attempt_id, now)


def _outcome(contact: Contact, send: Future | None, attempt_id: str) -> recipients.Result | None:
    """What to record for one claimed send: its result; pending if it never started (time ran
    out, the batch stopped); nothing if it broke midway, since whether SES took that email is
    unknown: the claim stays, and SES's Send event settles it (store/recipients)."""
    if send is not None and send.done() and send.exception() is not None:
        return None
    result = send.result() if send is not None and send.done() else None
    return result or recipients.Result(contact.id, attempt_id, RecipientStatus.PENDING, reason=NOT_TRIED)


def _send_claimed(
    settings: EmailSettings,
    mailing: Mailing,
    mail_template: EmailTemplate,
    contacts: list[Contact],
    subscribers: Mapping[str, Subscriber],
    attempt_id: str,
    attempt: int,
    extra_fields: Mapping[str, Mapping[str, Any]],
    keep_going: Callable[[], bool],
    deadline: Deadline,
) -> list[recipients.Result]:
    """Sends to each claimed contact and records every outcome, even if the batch stops early;
    an error no send expects is raised again once the outcomes are recorded."""
    sender_pace = shared_pacer(settings.max_send_rate, mailing.ref.kind == MailingKind.AUTOMATION_EMAIL)

    def deliver_in_time(contact: Contact) -> recipients.Result | None:
        if deadline.seconds_left() < STOP_WITH_SECONDS_LEFT:
            return None
        if not keep_going():  # paused meanwhile: this one waits with the rest of the campaign
            return recipients.Result(contact.id, attempt_id, RecipientStatus.PENDING, reason=PAUSED)
        return _deliver_one(
            settings,
            mailing,
            mail_template,
            contact,
            subscribers.get(contact.id),
            attempt_id,
            sender_pace,
            extra_fields.get(contact.id),
            deadline,
        )

    sends: list[Future] = []
    try:
        with sender_pace.expecting(len(contacts)), ThreadPoolExecutor(max_workers=SEND_THREADS) as pool:
            sends = [pool.submit(deliver_in_time, contact) for contact in contacts]
    finally:
        outcomes = [_outcome(contact, send, attempt_id) for contact, send in zip_longest(contacts, sends)]
        results = [_final(result, attempt) for result in outcomes if result is not None]
        recipients.record_results(mailing.ref, results, clock.utcnow())
    for send in sends:
        if (error := send.exception()) is not None:
            raise error
    return results


def deliver_to(
    settings: EmailSettings,
    mailing: Mailing,
    mail_template: EmailTemplate,
    contacts: dict[str, Contact],
    attempt: int,
    deadline: Deadline,
    *,
    retry_failed: bool = False,
    extra_fields: Mapping[str, Mapping[str, Any]] | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> Delivery:
    """Sends the mailing to each contact that may get it and nobody handled yet; records every
    outcome. A result PENDING is a send to try again later (throttled, or time ran out).
    `extra_fields` adds merge fields for some contacts (by contact id); `keep_going` is asked
    before each send (a paused campaign stops its batch between sends), and no send starts when
    `deadline` is near."""
    # Before any claim: an error registering the template's links, or a missing postal address,
    # retries the batch; inside a send it would fail a recipient as a template that cannot render.
    postal_address(settings)
    email_message.template_links(mail_template)
    subscribers = subscriber_store.for_contacts(list(contacts))
    reasons = suppression.marketing_suppression(contacts, subscribers, mail_template.category)
    claims = [recipients.Claim(contact.id, contact.email, reasons[contact.id]) for contact in contacts.values()]
    attempt_id = new_id("att")
    now = clock.utcnow()
    claimed = recipients.claim(mailing.ref, claims, attempt_id, now, retry_failed=retry_failed)
    to_send = [claim.contact_id for claim in claimed]
    to_send += _settle_abandoned(mailing.ref, claims, set(to_send), attempt_id, now)
    results = _send_claimed(
        settings,
        mailing,
        mail_template,
        [contacts[contact_id] for contact_id in to_send],
        subscribers,
        attempt_id,
        attempt,
        extra_fields or {},
        keep_going,
        deadline,
    )
    suppressed = {claim.contact_id: claim.suppressed for claim in claims if claim.suppressed}
    delivery = Delivery(results, suppressed, handled_before=len(contacts) - len(to_send) - len(suppressed))
    metrics.add_metric(name="EmailsSent", unit="Count", value=delivery.count(RecipientStatus.SENT))
    metrics.add_metric(name="EmailsSuppressed", unit="Count", value=len(suppressed))
    return delivery
