"""Campaigns: the only code that knows how they are stored.

One item per campaign holds what staff edit (versioned: a stale edit is a 409), its status, the
expansion checkpoint of a send, and denormalised counters (progress and analytics). Counters and
statuses are bookkeeping: they change without the version, by ADD and by conditions on the
status, so workers never collide with each other or with staff.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from marketing.campaigns.models.analytics import CampaignAnalytics
from marketing.campaigns.models.campaigns import EDITABLE, Campaign, CampaignProgress, CampaignReport, CampaignStatus
from marketing.campaigns.store.mailing_counters import EVENT_COUNTERS, SEND_COUNTERS, MailingCounters
from marketing.errors import Conflict, NotFound
from marketing.money import DEFAULT_CURRENCY
from marketing.store.conditions import Transaction, get_or_not_found, on_condition_failure, update_unversioned
from marketing.store.listing import NewestFirstIndex, newest_first_page
from marketing.store.table_meta import TableMeta

LISTING_PARTITION = "campaign"
PROGRESS_COUNTERS = ("total", *SEND_COUNTERS)
ANALYTICS_COUNTERS = EVENT_COUNTERS


class CampaignRecord(MailingCounters, Model):
    class Meta(TableMeta):
        table_env = "CAMPAIGNS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING_PARTITION)
    name = UnicodeAttribute()
    template_id = UnicodeAttribute()
    segment_id = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    from_name = UnicodeAttribute()
    from_email = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=CampaignStatus.DRAFT.value)
    scheduled_at = UTCDateTimeAttribute(null=True)
    send_started_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    send_error = UnicodeAttribute(null=True)
    paused_reason = UnicodeAttribute(null=True)
    guard_overridden = BooleanAttribute(default=False)  # resumed after the guard's pause: the guard lets it send
    paused_by_guard = BooleanAttribute(null=True)  # the pause is the reputation guard's (set with it, gone on resume)
    # Expansion of the segment into delivery batches: where to go on, and whether it is done.
    segment_generation = NumberAttribute(null=True)
    expand_cursor = JSONAttribute(null=True)
    expanded = BooleanAttribute(default=False)
    # Progress: `total` here, sent, failed and suppressed with the analytics in MailingCounters.
    total = NumberAttribute(default=0)
    currency = UnicodeAttribute(default=DEFAULT_CURRENCY)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_created = NewestFirstIndex()

    def progress(self) -> CampaignProgress:
        return CampaignProgress(**self.counted(PROGRESS_COUNTERS))

    def analytics(self) -> CampaignAnalytics:
        counters = self.counted(ANALYTICS_COUNTERS)
        return CampaignAnalytics(
            sent=int(self.sent or 0), revenue=self.revenue or Decimal("0"), currency=self.currency, **counters
        )

    def to_report(self) -> CampaignReport:
        return CampaignReport(
            campaign_id=self.id,
            name=self.name,
            status=CampaignStatus(self.status),
            sent_at=self.sent_at,
            analytics=self.analytics(),
        )

    def to_domain(self) -> Campaign:
        return Campaign(
            id=self.id,
            name=self.name,
            template_id=self.template_id,
            segment_id=self.segment_id,
            subject=self.subject,
            from_name=self.from_name,
            from_email=self.from_email,
            reply_to=self.reply_to,
            status=CampaignStatus(self.status),
            scheduled_at=self.scheduled_at,
            send_started_at=self.send_started_at,
            sent_at=self.sent_at,
            send_error=self.send_error,
            paused_reason=self.paused_reason,
            guard_overridden=bool(self.guard_overridden),
            progress=self.progress(),
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def status_of(campaign_id: str) -> str | None:
    """The campaign's status alone (a cheap read for a batch that is sending); None if deleted."""
    try:
        return CampaignRecord.get(campaign_id, consistent_read=True, attributes_to_get=["status"]).status
    except DoesNotExist:
        return None


def paused_by_guard(campaign_id: str) -> bool:
    """Whether the campaign's pause is the reputation guard's (False too if it is gone)."""
    try:
        item = CampaignRecord.get(campaign_id, consistent_read=True, attributes_to_get=["id", "paused_by_guard"])
    except DoesNotExist:
        return False
    return bool(item.paused_by_guard)


def record(campaign_id: str) -> CampaignRecord:
    return get_or_not_found(CampaignRecord, campaign_id, "campaign")


def create(campaign: Campaign) -> Campaign:
    fields = campaign.model_dump(include=set(Campaign.model_fields) - {"id", "progress", "cost"})
    item = CampaignRecord(campaign.id, **fields)
    with on_condition_failure(Conflict(f"campaign {campaign.id} already exists")):
        item.save(condition=CampaignRecord.id.does_not_exist())
    return item.to_domain()


def get(campaign_id: str) -> Campaign:
    return record(campaign_id).to_domain()


def _not_editable(item: CampaignRecord) -> Conflict:
    return Conflict(
        f"campaign {item.id} is {item.status}: only draft and scheduled campaigns can be changed",
        [{"field": "status", "reason": item.status}],
    )


def update(campaign_id: str, changes: dict[str, Any], updated_at: datetime) -> Campaign:
    item = record(campaign_id)
    if CampaignStatus(item.status) not in EDITABLE:
        raise _not_editable(item)
    actions = [getattr(CampaignRecord, field).set(value) for field, value in changes.items()]
    actions.append(CampaignRecord.updated_at.set(updated_at))
    editable = CampaignRecord.status.is_in(*(status.value for status in EDITABLE))
    with on_condition_failure(Conflict(f"campaign {campaign_id} was changed by someone else; fetch it and retry")):
        item.update(actions=actions, condition=editable)
    return item.to_domain()


def delete(campaign_id: str, allowed: set[CampaignStatus]) -> None:
    """Deletes a campaign in one of the `allowed` statuses that emailed no one: one cancelled after
    it sent keeps its report, as a sent one does (and the late events of its emails, counted on
    it, would otherwise make an item of its id and counters alone)."""
    item = record(campaign_id)
    if CampaignStatus(item.status) not in allowed:
        raise Conflict(
            f"campaign {campaign_id} is {item.status}: a campaign that is sending or was sent keeps its report",
            [{"field": "status", "reason": item.status}],
        )
    if item.progress().sent:
        raise Conflict(
            f"campaign {campaign_id} sent emails before it was cancelled: it keeps its report",
            [{"field": "status", "reason": f"{item.status} after sending"}],
        )
    unsent = CampaignRecord.sent.does_not_exist() | (CampaignRecord.sent == 0)
    with on_condition_failure(Conflict(f"campaign {campaign_id} changed status; fetch it and retry")):
        item.delete(condition=CampaignRecord.status.is_in(*(status.value for status in allowed)) & unsent)


def transition(
    campaign_id: str,
    allowed_from: set[CampaignStatus],
    to: CampaignStatus,
    changes: dict[str, Any],
    now: datetime,
    *,
    scheduled_at: datetime | None = None,
) -> Campaign:
    """Moves the campaign from one of `allowed_from` to `to`, setting `changes` (None removes a
    field); Conflict naming the current status if it is elsewhere. With `scheduled_at`, only a
    campaign scheduled for exactly that moment moves (a schedule replaced since does nothing)."""
    actions = [CampaignRecord.status.set(to.value), CampaignRecord.updated_at.set(now)]
    for field, value in changes.items():
        attribute = getattr(CampaignRecord, field)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    condition = CampaignRecord.status.is_in(*(status.value for status in allowed_from))
    if scheduled_at is not None:
        condition &= CampaignRecord.scheduled_at == scheduled_at
    try:
        return update_unversioned(
            CampaignRecord, campaign_id, actions, CampaignRecord.id.exists() & condition, Conflict("")
        ).to_domain()
    except Conflict:
        current = record(campaign_id)  # NotFound if it is gone
        allowed = ", ".join(sorted(status.value for status in allowed_from))
        raise Conflict(
            f"campaign {campaign_id} is {current.status}; this needs it to be {allowed}",
            [{"field": "status", "reason": current.status}],
        ) from None


def checkpoint_expansion(
    campaign_id: str, cursor: dict[str, Any] | None, next_cursor: dict[str, Any] | None, added: int
) -> None:
    """Records that the members after `cursor` up to `next_cursor` were handed to delivery (None:
    all of them). Conflict if another worker moved the checkpoint first (it did the same page)."""
    at_cursor = (
        CampaignRecord.expand_cursor.does_not_exist() if cursor is None else CampaignRecord.expand_cursor == cursor
    )
    actions = [CampaignRecord.total.add(added)]
    if next_cursor is None:
        actions += [CampaignRecord.expanded.set(True), CampaignRecord.expand_cursor.remove()]
    else:
        actions.append(CampaignRecord.expand_cursor.set(next_cursor))
    update_unversioned(
        CampaignRecord,
        campaign_id,
        actions,
        (CampaignRecord.expanded == False) & at_cursor,  # noqa: E712
        Conflict(f"campaign {campaign_id}: another worker expanded this page"),
    )


def add_counters(tx: Transaction, campaign_id: str, counters: dict[str, int | Decimal]) -> None:
    """Adds to the campaign's counters inside `tx` (with the write that makes them true)."""
    actions = [getattr(CampaignRecord, name).add(value) for name, value in counters.items() if value]
    if actions:
        tx.update(CampaignRecord(campaign_id), actions, add_version_condition=False)


def finish_if_complete(campaign_id: str, now: datetime) -> bool:
    """sending → sent once every recipient is handled; the condition repeats the counters read, so
    a count that moved in between leaves the decision to whoever moved it."""
    item = record(campaign_id)
    progress = item.progress()
    if item.status != CampaignStatus.SENDING.value or not item.expanded or progress.queued:
        return False
    unchanged = (
        (CampaignRecord.status == CampaignStatus.SENDING.value)
        & (CampaignRecord.sent == progress.sent)
        & (CampaignRecord.failed == progress.failed)
        & (CampaignRecord.suppressed == progress.suppressed)
        & (CampaignRecord.total == progress.total)
    )
    try:
        update_unversioned(
            CampaignRecord,
            campaign_id,
            [CampaignRecord.status.set(CampaignStatus.SENT.value), CampaignRecord.sent_at.set(now)],
            unchanged,
            Conflict(""),
        )
    except Conflict:
        return False
    return True


def list_page(limit: int, start_key: dict[str, Any] | None) -> tuple[list[Campaign], dict[str, Any] | None]:
    return newest_first_page(CampaignRecord.by_created, LISTING_PARTITION, limit, start_key)


def report_page(limit: int, start_key: dict[str, Any] | None) -> tuple[list[CampaignReport], dict[str, Any] | None]:
    return newest_first_page(
        CampaignRecord.by_created, LISTING_PARTITION, limit, start_key, view=CampaignRecord.to_report
    )


def all_records() -> Iterator[CampaignRecord]:
    yield from CampaignRecord.by_created.query(LISTING_PARTITION, scan_index_forward=False)


def ensure_exists(campaign_id: str) -> None:
    if CampaignRecord.count(campaign_id) == 0:
        raise NotFound(f"campaign {campaign_id} not found")
