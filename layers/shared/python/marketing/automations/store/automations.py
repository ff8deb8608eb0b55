"""Automations: the only code that knows how they and their per-email counters are stored.

One item per automation holds what staff edit (versioned: a stale edit is a 409), its status, and
the execution counters (entered, completed, stopped), which change by ADD in the same transaction
as the execution that moves them. Each email of the series has its own counters item (sent,
delivered, opened, ...), keyed by automation and order, moved like a campaign's counters by the
recipient writes of that email (store/mailings.py routes them here).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from marketing.automations.models.automations import (
    Automation,
    AutomationEmail,
    AutomationEmailAnalytics,
    AutomationStatus,
    Trigger,
)
from marketing.campaigns.store.mailing_counters import EVENT_COUNTERS, SEND_COUNTERS, MailingCounters
from marketing.errors import Conflict
from marketing.money import DEFAULT_CURRENCY
from marketing.store.conditions import Transaction, get_or_not_found, on_condition_failure, update_unversioned
from marketing.store.listing import NewestFirstIndex, newest_first_page
from marketing.store.table_meta import TableMeta

LISTING_PARTITION = "automation"


class AutomationRecord(Model):
    class Meta(TableMeta):
        table_env = "AUTOMATIONS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING_PARTITION)
    name = UnicodeAttribute()
    trigger = UnicodeAttribute()
    status = UnicodeAttribute(default=AutomationStatus.PAUSED.value)
    emails = JSONAttribute()
    allow_reentry = BooleanAttribute(default=False)
    from_name = UnicodeAttribute(null=True)
    from_email = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)
    entered = NumberAttribute(default=0)
    completed = NumberAttribute(default=0)
    stopped = NumberAttribute(default=0)
    # Counted by the sweep: running executions by the next email they wait for.
    waiting_by_email = JSONAttribute(null=True)
    counted_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_created = NewestFirstIndex()

    def email(self, order: int) -> AutomationEmail | None:
        return next((email for email in self.series() if email.order == order), None)

    def series(self) -> list[AutomationEmail]:
        return [AutomationEmail.model_validate(email) for email in self.emails]

    def to_domain(self) -> Automation:
        return Automation(
            id=self.id,
            name=self.name,
            trigger=Trigger(self.trigger),
            status=AutomationStatus(self.status),
            emails=self.series(),
            allow_reentry=bool(self.allow_reentry),
            from_name=self.from_name,
            from_email=self.from_email,
            reply_to=self.reply_to,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


class AutomationEmailStatsRecord(MailingCounters, Model):
    """The counters of one email of a series; created by the first counter added to it."""

    class Meta(TableMeta):
        table_env = "AUTOMATION_EMAIL_STATS_TABLE"

    automation_id = UnicodeAttribute(hash_key=True)
    order = NumberAttribute(range_key=True)

    def to_domain(self) -> AutomationEmailAnalytics:
        counters = self.counted(SEND_COUNTERS + EVENT_COUNTERS)
        return AutomationEmailAnalytics(
            order=int(self.order), revenue=self.revenue or Decimal("0"), currency=DEFAULT_CURRENCY, **counters
        )


def _record(automation_id: str) -> AutomationRecord:
    return get_or_not_found(AutomationRecord, automation_id, "automation")


def get(automation_id: str) -> Automation:
    return _record(automation_id).to_domain()


def find(automation_id: str) -> Automation | None:
    try:
        return AutomationRecord.get(automation_id, consistent_read=True).to_domain()
    except AutomationRecord.DoesNotExist:
        return None


def _emails(emails: list[AutomationEmail]) -> list[dict[str, Any]]:
    return [email.model_dump(mode="json") for email in emails]


def create(automation: Automation) -> Automation:
    fields = automation.model_dump(include=set(Automation.model_fields) - {"id", "emails"})
    item = AutomationRecord(automation.id, emails=_emails(automation.emails), **fields)
    with on_condition_failure(Conflict(f"automation {automation.id} already exists")):
        item.save(condition=AutomationRecord.id.does_not_exist())
    return item.to_domain()


def update(automation_id: str, changes: dict[str, Any], updated_at: datetime) -> Automation:
    """Applies staff's changes if nobody changed the automation since it was read (else 409)."""
    item = _record(automation_id)
    actions = []
    for field, value in changes.items():
        if field == "emails":
            value = _emails(value)
        attribute = getattr(AutomationRecord, field)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    actions.append(AutomationRecord.updated_at.set(updated_at))
    with on_condition_failure(Conflict(f"automation {automation_id} was changed by someone else; fetch it and retry")):
        item.update(actions=actions)
    return item.to_domain()


def set_status(automation_id: str, status: AutomationStatus, now: datetime) -> Automation:
    """Bookkeeping, not an edit: no version check, so activating never collides with counters."""
    return update_unversioned(
        AutomationRecord,
        automation_id,
        [AutomationRecord.status.set(status.value), AutomationRecord.updated_at.set(now)],
        AutomationRecord.id.exists(),
        Conflict(f"automation {automation_id} was deleted"),
    ).to_domain()


def delete(automation_id: str) -> None:
    _record(automation_id).delete()
    with AutomationEmailStatsRecord.batch_write() as batch:
        for stats in AutomationEmailStatsRecord.query(automation_id):
            batch.delete(stats)


def list_page(limit: int, start_key: dict[str, Any] | None) -> tuple[list[Automation], dict[str, Any] | None]:
    return newest_first_page(AutomationRecord.by_created, LISTING_PARTITION, limit, start_key)


def every_automation() -> Iterator[Automation]:
    """Every automation (a shop has a handful: one index query)."""
    for item in AutomationRecord.by_created.query(LISTING_PARTITION):
        yield item.to_domain()


def with_trigger(trigger: Trigger, status: AutomationStatus | None = None) -> list[Automation]:
    return [item for item in every_automation() if item.trigger == trigger and status in (None, item.status)]


def add_counters(tx: Transaction, automation_id: str, counters: dict[str, int]) -> None:
    """Adds to the execution counters (entered, completed, stopped) inside `tx`, if the automation
    exists: an update of a deleted one would make an item of its id and counters alone, which
    every later read of the id would take for the automation. Its refusal refuses `tx`."""
    actions = [getattr(AutomationRecord, name).add(value) for name, value in counters.items() if value]
    if actions:
        tx.update(AutomationRecord(automation_id), actions, AutomationRecord.id.exists(), add_version_condition=False)


def add_email_counters(tx: Transaction, automation_id: str, order: int, counters: dict[str, int | Decimal]) -> None:
    """Adds to one email's counters inside `tx` (with the recipient write that makes them true)."""
    actions = [getattr(AutomationEmailStatsRecord, name).add(value) for name, value in counters.items() if value]
    if actions:
        tx.update(AutomationEmailStatsRecord(automation_id, order), actions, add_version_condition=False)


class RunCounts(NamedTuple):
    """The automation's run counters, and the sweep's count of running executions by the email
    they wait for."""

    entered: int
    completed: int
    stopped: int
    waiting_by_email: dict[str, int]
    counted_at: datetime | None


def run_counts(automation_id: str) -> RunCounts:
    item = _record(automation_id)
    return RunCounts(
        int(item.entered or 0),
        int(item.completed or 0),
        int(item.stopped or 0),
        item.waiting_by_email or {},
        item.counted_at,
    )


def email_analytics(automation: Automation) -> list[AutomationEmailAnalytics]:
    """Every email of the series with its counters (zeros for one nothing has happened to yet)."""
    counted = {int(stats.order): stats.to_domain() for stats in AutomationEmailStatsRecord.query(automation.id)}
    return [counted.get(email.order, AutomationEmailAnalytics(order=email.order)) for email in automation.emails]


def save_count(automation_id: str, waiting_by_email: dict[str, int], counted_at: datetime) -> None:
    update_unversioned(
        AutomationRecord,
        automation_id,
        [AutomationRecord.waiting_by_email.set(waiting_by_email), AutomationRecord.counted_at.set(counted_at)],
        AutomationRecord.id.exists(),
        Conflict(f"automation {automation_id} was deleted"),
    )
