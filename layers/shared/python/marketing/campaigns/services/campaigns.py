"""Campaign rules: editing, sending now or at a time, cancelling, test sends, retrying failures.

- Only draft and scheduled campaigns can be edited (409 otherwise).
- A send is checked before anything is queued: the shop's postal address is configured (every
  marketing email's footer carries it), the template exists and renders, the segment has members,
  and the From address is on a verified SES identity. A failed check is a 422 naming
  what to fix; for a scheduled send it is checked again when the schedule fires, and a campaign
  that fails then goes back to draft with `send_error`.
- Moving to `sending` is one conditional write, so a send triggered twice starts once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from marketing import clock, pagination
from marketing.activity.models.activity import MailingLinks, MailingTimeline
from marketing.activity.services import activity
from marketing.audience.models.subscribers import SubscriberSource
from marketing.audience.services import do_not_email
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import segments as segment_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.aws import messaging, one_time_schedules
from marketing.aws.ses import SendOutcomeUnknown, SendRefused, SendRetryable, is_verified_sender, send_raw
from marketing.campaigns import costs
from marketing.campaigns.models.analytics import CampaignAnalytics
from marketing.campaigns.models.campaign_requests import (
    AnalyticsOverview,
    CampaignCreate,
    CampaignPage,
    CampaignPatch,
    CampaignReportPage,
    RecipientPage,
    RetryResult,
    ScheduleRequest,
    TestSend,
    TestSendRequest,
    TestSendResult,
)
from marketing.campaigns.models.campaigns import (
    RECIPIENTS_PER_BATCH,
    ActualCost,
    Campaign,
    CampaignCost,
    CampaignStatus,
    DeliveryBatch,
    SendRequest,
)
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.models.recipients import RecipientStatus, SuppressionReason
from marketing.campaigns.services import reach
from marketing.campaigns.store import campaigns as store
from marketing.campaigns.store import recipients
from marketing.campaigns.store.mailings import activity_series
from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS
from marketing.config import NO_POSTAL_ADDRESS, EmailSettings, load_settings
from marketing.email.links import email_links
from marketing.email.models.templates import EmailTemplate, TemplateCategory
from marketing.email.services import email_message, rendering, suppression
from marketing.email.store import templates as template_store
from marketing.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from marketing.ids import new_id

DELETABLE = {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.CANCELLED}
MAX_SCHEDULE_AHEAD = timedelta(days=365)
TEST_SUBJECT_PREFIX = "[Test] "


@cache
def _settings() -> EmailSettings:
    return load_settings(EmailSettings)


def _schedule_name(campaign_id: str) -> str:
    return f"campaign-{campaign_id}"


def _marketing_template(template: EmailTemplate) -> EmailTemplate:
    """A campaign is marketing: it refuses (422) a template labelled transactional, which would
    otherwise read as mail that may reach the unsubscribed."""
    if template.category == TemplateCategory.TRANSACTIONAL:
        raise BusinessRuleViolation(
            "a campaign is marketing email and cannot use a transactional template",
            [{"field": "template_id", "reason": "the template is transactional; pick a marketing template"}],
        )
    return template


def _check_references(fields: dict[str, Any]) -> None:
    if fields.get("template_id"):
        try:
            template = template_store.get(fields["template_id"])
        except NotFound:
            raise ValidationFailed.field("template_id", "no template with this id") from None
        _marketing_template(template)
    if fields.get("segment_id"):
        try:
            segment_store.get(fields["segment_id"])
        except NotFound:
            raise ValidationFailed.field("segment_id", "no segment with this id") from None
    if fields.get("subject"):
        rendering.validate("subject", fields["subject"], html=False)
    _settings().refuse_foreign_sender(fields.get("from_email"))


def create(request: CampaignCreate) -> Campaign:
    fields = request.model_dump()
    _check_references(fields)
    now = clock.utcnow()
    return store.create(
        Campaign(
            id=new_id("cmp"),
            status=CampaignStatus.DRAFT,
            scheduled_at=None,
            progress={},
            created_at=now,
            updated_at=now,
            **fields,
        )
    )


def get(campaign_id: str) -> Campaign:
    """The campaign with what its send costs (estimated before, counted after)."""
    campaign = store.get(campaign_id)
    return campaign.model_copy(update={"cost": _cost(campaign)})


def _reach(campaign: Campaign) -> reach.Reach:
    """Whom the send would reach now; no one if its segment or template was deleted (the send
    would be refused)."""
    try:
        segment = segment_store.get(campaign.segment_id)
        category = template_store.get(campaign.template_id).category
    except NotFound:
        return reach.Reach(sendable=0, excluded={}, members_read=0)
    return reach.of_segment(segment, category)


def _cost(campaign: Campaign) -> CampaignCost:
    started = campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
    if started:
        recipients, excluded, members_read = campaign.progress.total, {}, None
    else:
        recipients, excluded, members_read = _reach(campaign)
    cost = CampaignCost(
        recipients=recipients,
        excluded=excluded,
        members_read=members_read,
        per_recipient_usd=costs.PER_RECIPIENT,
        estimated_usd=costs.usd(recipients * costs.PER_RECIPIENT),
    )
    if started:
        sent = campaign.progress.sent
        handled = sent + campaign.progress.failed + campaign.progress.suppressed
        ses, platform = sent * costs.SES_PER_EMAIL, handled * costs.PLATFORM_PER_RECIPIENT
        cost.actual = ActualCost(
            emails_sent=sent,
            ses_usd=costs.usd(ses),
            platform_usd=costs.usd(platform),
            total_usd=costs.usd(ses + platform),
        )
    return cost


def list_page(limit: int | None, cursor: str | None) -> CampaignPage:
    items, last_key = store.list_page(pagination.page_size(limit), pagination.decode_cursor(cursor, "campaigns"))
    return CampaignPage(items=items, next=pagination.encode_cursor(last_key, "campaigns"))


def update(campaign_id: str, patch: CampaignPatch) -> Campaign:
    changes = patch.model_dump(exclude_unset=True)
    for field in ("name", "template_id", "segment_id", "from_name"):
        if field in changes and changes[field] is None:
            raise ValidationFailed.field(field, "may not be null")
    _check_references(changes)
    if not changes:
        return store.get(campaign_id)
    return store.update(campaign_id, changes, clock.utcnow())


def delete(campaign_id: str) -> None:
    store.delete(campaign_id, DELETABLE)
    one_time_schedules.delete(_schedule_name(campaign_id))


# --- sending -------------------------------------------------------------------------------------
def _refuse(field: str, reason: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(f"cannot send: {field}: {reason}", [{"field": field, "reason": reason}])


def postal_address() -> str:
    """The shop's postal address for marketing email; refused (422, `postal_address`) if unset."""
    address = _settings().postal_address
    if address is None:
        raise _refuse("postal_address", NO_POSTAL_ADDRESS)
    return address


def _campaign_template(campaign: Campaign) -> EmailTemplate:
    try:
        template = template_store.get(campaign.template_id)
    except NotFound:
        raise _refuse("template_id", f"template {campaign.template_id} no longer exists") from None
    return _marketing_template(template)  # the template may have been relabelled since it was chosen


def check_sendable(campaign: Campaign) -> int:
    """Refuses (422) a campaign that cannot be sent as it is; returns its segment's generation."""
    postal_address()
    template = _campaign_template(campaign)
    sample = template.model_copy(update={"subject": campaign.subject}) if campaign.subject else template
    try:
        rendering.render_template(sample, rendering.SAMPLE_CONTEXT)
    except Exception as exc:
        raise _refuse("template_id", f"the template does not render: {exc}") from exc
    try:
        segment = segment_store.get(campaign.segment_id)
    except NotFound:
        raise _refuse("segment_id", f"segment {campaign.segment_id} no longer exists") from None
    if segment.contact_count == 0:
        raise _refuse("segment_id", f"segment {segment.name!r} has no members (refresh it if it is dynamic)")
    sender = campaign.from_email or _settings().sender_address
    if not sender:
        raise _refuse("from_email", "no From address: set one on the campaign or configure SENDER_ADDRESS")
    try:  # a campaign saved before senders were held to the domain: SES would refuse every send
        _settings().refuse_foreign_sender(campaign.from_email)
    except ValidationFailed as foreign:
        raise _refuse("from_email", foreign.details[0]["reason"]) from None
    if not is_verified_sender(sender):
        raise _refuse("from_email", f"{sender} is not on a verified SES identity")
    return segment_store.generation_of(campaign.segment_id)


def _sending_fields(generation: int) -> dict[str, Any]:
    return {"send_started_at": clock.utcnow(), "segment_generation": generation, "send_error": None}


def send(campaign_id: str) -> Campaign:
    """Starts sending now: checks, moves to sending (once), queues the expansion."""
    campaign = store.get(campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise Conflict(
            f"campaign {campaign_id} is {campaign.status.value}: only a draft or scheduled campaign can be sent",
            [{"field": "status", "reason": campaign.status.value}],
        )
    generation = check_sendable(campaign)
    started = store.transition(
        campaign_id,
        {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED},
        CampaignStatus.SENDING,
        _sending_fields(generation),
        clock.utcnow(),
    )
    try:
        messaging.send(CAMPAIGN_SENDS, SendRequest(campaign_id=campaign_id).model_dump(mode="json"))
    except Exception:
        store.transition(
            campaign_id,
            {CampaignStatus.SENDING},
            campaign.status,
            {"send_error": "could not queue the send"},
            clock.utcnow(),
        )
        raise
    if campaign.status == CampaignStatus.SCHEDULED:
        one_time_schedules.delete(_schedule_name(campaign_id))
    return started


def schedule(campaign_id: str, request: ScheduleRequest) -> Campaign:
    now = clock.utcnow()
    if request.scheduled_at.tzinfo is None:
        raise ValidationFailed.field("scheduled_at", "give a time zone, e.g. 2026-12-01T09:00:00Z")
    if request.scheduled_at <= now:
        raise ValidationFailed.field("scheduled_at", "must be in the future")
    if request.scheduled_at > now + MAX_SCHEDULE_AHEAD:
        raise ValidationFailed.field("scheduled_at", "must be within a year")
    campaign = store.get(campaign_id)
    check_sendable(campaign)
    previous = campaign.status
    scheduled = store.transition(
        campaign_id,
        {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED},
        CampaignStatus.SCHEDULED,
        {"scheduled_at": request.scheduled_at, "send_error": None},
        now,
    )
    message = SendRequest(campaign_id=campaign_id, scheduled_at=request.scheduled_at).model_dump(mode="json")
    try:
        one_time_schedules.put(_schedule_name(campaign_id), request.scheduled_at, message)
    except Exception:
        if previous == CampaignStatus.DRAFT:
            store.transition(campaign_id, {CampaignStatus.SCHEDULED}, previous, {"scheduled_at": None}, clock.utcnow())
        raise
    return scheduled


def cancel(campaign_id: str) -> Campaign:
    """Stops a scheduled campaign before it starts, or a sending or paused one where it is (what
    was sent stays)."""
    cancelled = store.transition(
        campaign_id,
        {CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.PAUSED},
        CampaignStatus.CANCELLED,
        {},
        clock.utcnow(),
    )
    one_time_schedules.delete(_schedule_name(campaign_id))
    if cancelled.send_started_at is not None:  # a pause may have held batches: the send worker drops them
        messaging.send(CAMPAIGN_SENDS, SendRequest(campaign_id=campaign_id).model_dump(mode="json"))
    return cancelled


def pause(campaign_id: str) -> Campaign:
    """Holds a sending campaign where it is (staff's own pause; the reputation guard pauses too)."""
    return store.transition(
        campaign_id,
        {CampaignStatus.SENDING},
        CampaignStatus.PAUSED,
        {"paused_reason": "paused by staff", "paused_by_guard": None},
        clock.utcnow(),
    )


def resume(campaign_id: str) -> Campaign:
    """Sends on: the send worker queues the batches held while paused at once (services/campaign_sends),
    and an unfinished expansion continues."""
    changes: dict[str, Any] = {"paused_reason": None, "paused_by_guard": None}
    if store.paused_by_guard(campaign_id):
        # Staff saw the guard's reason and chose to go on: the guard does not pause it again (bounces
        # of the emails sent before the pause are still arriving); the account's alarms still watch.
        # A staff pause showed no warning, so its resume leaves the guard armed. A read made stale by
        # a resume in between errs safe: that resume overrode already, or the guard may pause again.
        changes["guard_overridden"] = True
    store.transition(campaign_id, {CampaignStatus.PAUSED}, CampaignStatus.SENDING, changes, clock.utcnow())
    messaging.send(CAMPAIGN_SENDS, SendRequest(campaign_id=campaign_id).model_dump(mode="json"))
    store.finish_if_complete(campaign_id, clock.utcnow())  # everything was handled before the pause
    return store.get(campaign_id)


def start_scheduled(request: SendRequest) -> bool:
    """A schedule fired: start the send if the campaign is still scheduled for that moment and can
    be sent; one that cannot goes back to draft with the reason. False if nothing started."""
    try:
        campaign = store.get(request.campaign_id)
    except NotFound:
        return False
    if campaign.status != CampaignStatus.SCHEDULED or campaign.scheduled_at != request.scheduled_at:
        return False
    try:
        generation = check_sendable(campaign)
    except BusinessRuleViolation as refused:
        store.transition(
            campaign.id,
            {CampaignStatus.SCHEDULED},
            CampaignStatus.DRAFT,
            {"send_error": refused.message, "scheduled_at": None},
            clock.utcnow(),
            scheduled_at=request.scheduled_at,
        )
        return False
    try:
        store.transition(
            campaign.id,
            {CampaignStatus.SCHEDULED},
            CampaignStatus.SENDING,
            _sending_fields(generation),
            clock.utcnow(),
            scheduled_at=request.scheduled_at,
        )
    except Conflict:
        return False  # rescheduled, cancelled or started in the meantime
    return True


def retry_failed(campaign_id: str) -> RetryResult:
    """Hands the failed recipients back to delivery (the campaign sends again until they are done)."""
    campaign = store.get(campaign_id)
    if campaign.status not in (CampaignStatus.SENT, CampaignStatus.SENDING):
        raise Conflict(
            f"campaign {campaign_id} is {campaign.status.value}: only a sent or sending campaign has failures"
        )
    contact_ids = [item.contact_id for item in recipients.failed(MailingRef.campaign(campaign_id))]
    if not contact_ids:
        return RetryResult(requeued=0)
    if campaign.status == CampaignStatus.SENT:
        store.transition(campaign_id, {CampaignStatus.SENT}, CampaignStatus.SENDING, {"sent_at": None}, clock.utcnow())
    batches = [
        DeliveryBatch(
            campaign_id=campaign_id, contact_ids=contact_ids[start : start + RECIPIENTS_PER_BATCH], retry_failed=True
        ).model_dump(mode="json")
        for start in range(0, len(contact_ids), RECIPIENTS_PER_BATCH)
    ]
    messaging.send_batch(CAMPAIGN_DELIVERIES, batches)
    return RetryResult(requeued=len(contact_ids))


class _TestFields(NamedTuple):
    fields: dict[str, Any]
    subscribed: email_message.Subscribed


def _test_send_fields(address: str, template: EmailTemplate) -> _TestFields:
    """The merge fields a test copy to `address` renders with, and the footer's reason why it is
    sent: a contact's own, or the sample contact's (subscribed today on the website). A contact's
    opt-out holds for test copies too (a 422 naming the address), and so does the do-not-email
    list; a contact who never subscribed may get one, like any address that is not a contact (the
    marketer's own)."""
    contact = contact_store.find_by_email(address)
    subscriber = None
    if contact is not None:
        subscriber = subscriber_store.find(subscriber_store.subscriber_id(contact.id))
        reason = suppression.suppression_reason(subscriber, suppression.as_marketing(template.category))
        if reason not in (None, SuppressionReason.NOT_SUBSCRIBED):
            raise _refuse("emails", f"{address} may not get marketing email ({reason.value}); nothing was sent")
    if do_not_email.listed({address: address}):
        raise _refuse("emails", f"{address} is on the do-not-email list (an erased contact's); nothing was sent")
    subscribed = (
        email_message.Subscribed.of(subscriber)
        if subscriber is not None
        else email_message.Subscribed(clock.utcnow().date(), SubscriberSource.WEBSITE.value)
    )
    fields = contact.model_dump() if contact is not None else {**rendering.SAMPLE_CONTEXT, "email": address}
    return _TestFields(fields, subscribed)


def test_send(campaign_id: str, request: TestSendRequest) -> TestSendResult:
    """Sends one rendered copy to each address, subject marked [Test]; links work, nothing counts.
    A known contact's address renders with that contact's fields, others with the sample contact."""
    campaign = store.get(campaign_id)
    sender = _TestSender(campaign.from_name, campaign.from_email, campaign.reply_to, campaign.subject, campaign_id)
    return _send_tests(_campaign_template(campaign), sender, request)


def test_send_template(template_id: str, request: TestSendRequest) -> TestSendResult:
    """A template's test copies, before any campaign uses it: from the platform's sender under the
    shop's name, with the template's own subject, by the same rules as a campaign's test copies."""
    template = template_store.get(template_id)
    return _send_tests(template, _TestSender(_settings().shop_name, None, None, None, ""), request)


class _TestSender(NamedTuple):
    from_name: str
    from_email: str | None  # None: the platform's sender
    reply_to: str | None
    subject: str | None  # None: the template's
    campaign_id: str  # "" for a template's test: its links lead on, nothing is counted


def _send_tests(template: EmailTemplate, sender: _TestSender, request: TestSendRequest) -> TestSendResult:
    settings = _settings()
    address_line = postal_address()  # a test copy shows what recipients will get, footer and all
    from_address = sender.from_email or settings.sender_address
    fields_of = {address: _test_send_fields(address, template) for address in request.emails}  # all checked first
    sent = []
    for address, (fields, subscribed) in fields_of.items():
        envelope = email_message.Envelope(
            campaign_id=sender.campaign_id,
            contact_id="",
            to=address,
            from_name=sender.from_name,
            from_address=from_address,
            reply_to=sender.reply_to,
            subject=sender.subject,
            subject_prefix=TEST_SUBJECT_PREFIX,
        )
        try:
            composed = email_message.compose(
                template,
                fields,
                envelope,
                email_links(),
                settings.shop_name,
                settings.public_base_url,
                postal_address=address_line,
                subscribed=subscribed,
                unsubscribe_mail_domain=settings.unsubscribe_mail_domain,
            )
        except Exception as exc:
            raise _refuse("template_id", f"the template does not render for {address}: {exc}") from exc
        try:
            message_id = send_raw(from_address, address, composed.mime, settings.configuration_set)
        except (SendRefused, SendRetryable) as exc:
            raise BusinessRuleViolation(f"SES did not take the test email to {address}: {exc}") from exc
        except SendOutcomeUnknown as exc:
            raise BusinessRuleViolation(
                f"SES did not answer for the test email to {address}: it may have been sent ({exc})"
            ) from exc
        sent.append(TestSend(email=address, message_id=message_id))
    return TestSendResult(sent=sent)


# --- reading ---------------------------------------------------------------------------------------
def recipients_page(
    campaign_id: str, limit: int | None, cursor: str | None, status: RecipientStatus | None
) -> RecipientPage:
    store.ensure_exists(campaign_id)
    start_key = pagination.decode_cursor(cursor, "campaign-recipients", campaign=campaign_id, status=status)
    items, last_key = recipients.page(MailingRef.campaign(campaign_id), pagination.page_size(limit), start_key, status)
    next_cursor = pagination.encode_cursor(last_key, "campaign-recipients", campaign=campaign_id, status=status)
    return RecipientPage(items=items, next=next_cursor)


def analytics(campaign_id: str) -> CampaignAnalytics:
    return store.record(campaign_id).analytics()


def timeline(campaign_id: str) -> MailingTimeline:
    campaign = get(campaign_id)
    series = activity_series(MailingRef.campaign(campaign_id))
    return activity.mailing_timeline(series, campaign.send_started_at, clock.utcnow())


def link_clicks(campaign_id: str) -> MailingLinks:
    get(campaign_id)  # NotFound for an unknown campaign, not an empty list
    return activity.mailing_links(activity_series(MailingRef.campaign(campaign_id)))


def reports_page(limit: int | None, cursor: str | None) -> CampaignReportPage:
    start_key = pagination.decode_cursor(cursor, "campaign-reports")
    items, last_key = store.report_page(pagination.page_size(limit), start_key)
    return CampaignReportPage(items=items, next=pagination.encode_cursor(last_key, "campaign-reports"))


def overview() -> AnalyticsOverview:
    """Totals over every campaign that has sent (one query of the campaign list)."""
    counters = dict.fromkeys(("sent", *store.ANALYTICS_COUNTERS), 0)
    revenue = Decimal("0")
    campaigns_sent = 0
    for item in store.all_records():
        if not item.sent:
            continue
        campaigns_sent += 1
        for name in counters:
            counters[name] += int(getattr(item, name) or 0)
        revenue += item.revenue or Decimal("0")
    return AnalyticsOverview(campaigns_sent=campaigns_sent, totals=CampaignAnalytics(revenue=revenue, **counters))
