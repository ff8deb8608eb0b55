"""Automation executions: one item per (automation, contact), the contact's latest run.

The item is what keeps a contact in at most one execution of an automation at a time: entering
is a conditional put (nothing there yet, or, where re-entry is allowed, a finished run of another
trigger), in one transaction with the automation's `entered` counter. Every later step names the
run it belongs to (`entry`), so a late message of an old run never moves a new one:

    pending ──started──▶ in_progress ──last email──▶ completed
       └──────────────────────┴──stop (order paid, unsubscribed, ...)──▶ stopped

While the worker holds an email of the run (sending it, or holding it while the automation is
paused) the item keeps the state machine's task token, so the email can be handed back on
`activate/` or by the sweep if the worker never finished it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from marketing.automations.models.automations import (
    RUNNING,
    AutomationExecution,
    ExecutionKey,
    ExecutionStatus,
    Run,
    Trigger,
)
from marketing.automations.store import automations as automation_store
from marketing.store.conditions import Transaction, applied, transact
from marketing.store.table_meta import TableMeta


class ExecutionRecord(Model):
    class Meta(TableMeta):
        table_env = "AUTOMATION_EXECUTIONS_TABLE"

    automation_id = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute(range_key=True)
    entry = NumberAttribute()
    trigger = UnicodeAttribute()
    trigger_key = UnicodeAttribute()
    correlation_id = UnicodeAttribute(null=True)  # of the request or event that started the run
    triggered_at = UTCDateTimeAttribute()
    merge_fields = JSONAttribute(null=True)  # what the trigger adds to the emails (e.g. the cart)
    status = UnicodeAttribute()
    current_email_order = NumberAttribute(default=0)
    series_length = NumberAttribute(null=True)  # emails in this run, fixed when it starts
    execution_arn = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    next_email_at = UTCDateTimeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)
    stopped_at = UTCDateTimeAttribute(null=True)
    stopped_reason = UnicodeAttribute(null=True)
    # The email the worker holds: the state machine's token for it, which email, since when.
    task_token = UnicodeAttribute(null=True)
    task_order = NumberAttribute(null=True)
    task_since = UTCDateTimeAttribute(null=True)

    def run(self) -> Run:
        return Run(
            key=ExecutionKey(automation_id=self.automation_id, contact_id=self.contact_id, entry=int(self.entry)),
            trigger=Trigger(self.trigger),
            trigger_key=self.trigger_key,
            correlation_id=self.correlation_id,
            triggered_at=self.triggered_at,
            merge_fields=self.merge_fields,
            status=ExecutionStatus(self.status),
            current_email_order=int(self.current_email_order or 0),
            series_length=int(self.series_length) if self.series_length is not None else None,
            execution_arn=self.execution_arn,
            started_at=self.started_at,
            updated_at=self.updated_at,
            next_email_at=self.next_email_at,
            completed_at=self.completed_at,
            stopped_at=self.stopped_at,
            stopped_reason=self.stopped_reason,
            task_token=self.task_token,
            task_order=int(self.task_order) if self.task_order is not None else None,
            task_since=self.task_since,
        )


def _find(automation_id: str, contact_id: str) -> ExecutionRecord | None:
    try:
        return ExecutionRecord.get(automation_id, contact_id, consistent_read=True)
    except ExecutionRecord.DoesNotExist:
        return None


def find(automation_id: str, contact_id: str) -> Run | None:
    found = _find(automation_id, contact_id)
    return found.run() if found is not None else None


def _of_run(key: ExecutionKey) -> Condition:
    return ExecutionRecord.entry == key.entry


def _is_running() -> Condition:
    return ExecutionRecord.status.is_in(*(status.value for status in RUNNING))


def enter(
    automation_id: str,
    contact_id: str,
    trigger: Trigger,
    trigger_key: str,
    triggered_at: datetime,
    merge_fields: dict[str, Any] | None,
    *,
    allow_reentry: bool,
    now: datetime,
    correlation_id: str | None = None,
) -> Run | None:
    """Records a new run of the contact through the automation and counts it as entered; None if
    the contact may not enter now (a run is going on, or a finished one and no re-entry, or the
    finished one was started by this very trigger)."""
    previous = find(automation_id, contact_id)
    if previous is None:
        may_enter: Condition = ExecutionRecord.contact_id.does_not_exist()
    elif allow_reentry and not previous.running and previous.trigger_key != trigger_key:
        may_enter = (ExecutionRecord.entry == previous.entry) & ~_is_running()
    else:
        return None
    item = ExecutionRecord(
        automation_id,
        contact_id,
        entry=int(previous.entry) + 1 if previous else 1,
        trigger=trigger.value,
        trigger_key=trigger_key,
        triggered_at=triggered_at,
        merge_fields=merge_fields,
        status=ExecutionStatus.PENDING.value,
        current_email_order=0,
        correlation_id=correlation_id,
        started_at=now,
        updated_at=now,
    )

    def write(tx: Transaction) -> None:
        tx.save(item, condition=may_enter)
        automation_store.add_counters(tx, automation_id, {"entered": 1})

    return None if transact(ExecutionRecord.Meta.region, write) else item.run()


def mark_started(
    key: ExecutionKey, execution_arn: str, series_length: int, first_email_at: datetime, now: datetime
) -> bool:
    """Records that Step Functions has the run; False if the run is over already. The worker may
    have handled the first email before this lands: its progress stays."""
    actions: list[Action] = [
        ExecutionRecord.status.set(ExecutionStatus.IN_PROGRESS.value),
        ExecutionRecord.execution_arn.set(execution_arn),
        ExecutionRecord.series_length.set(series_length),
        ExecutionRecord.next_email_at.set(ExecutionRecord.next_email_at | first_email_at),
        ExecutionRecord.updated_at.set(now),
    ]
    return _update(key, actions, _is_running())


def hold_task(key: ExecutionKey, order: int, task_token: str, now: datetime) -> bool:
    """Remembers the token of the email the worker now holds; False if the run is over, not this
    one, or past this email already."""
    not_past = ExecutionRecord.current_email_order.does_not_exist() | (ExecutionRecord.current_email_order < order)
    return _update(
        key,
        [
            ExecutionRecord.task_token.set(task_token),
            ExecutionRecord.task_order.set(order),
            ExecutionRecord.task_since.set(now),
            ExecutionRecord.updated_at.set(now),
        ],
        _is_running() & not_past,
    )


def _task_released() -> list[Action]:
    """The run holds no email any more (sent, skipped, or the run ended)."""
    return [
        ExecutionRecord.task_token.remove(),
        ExecutionRecord.task_order.remove(),
        ExecutionRecord.task_since.remove(),
    ]


def record_progress(key: ExecutionKey, order: int, next_email_at: datetime | None, now: datetime) -> bool:
    """Email `order` is handled (sent or skipped); the state machine waits for the next."""
    actions: list[Action] = [
        ExecutionRecord.current_email_order.set(order),
        *_task_released(),
        ExecutionRecord.updated_at.set(now),
        ExecutionRecord.next_email_at.remove()
        if next_email_at is None
        else ExecutionRecord.next_email_at.set(next_email_at),
    ]
    return _update(key, actions, _is_running())


def _update(key: ExecutionKey, actions: list[Action], condition: Condition) -> bool:
    return applied(
        lambda: ExecutionRecord(key.automation_id, key.contact_id).update(
            actions=actions,
            condition=ExecutionRecord.contact_id.exists() & _of_run(key) & condition,
            add_version_condition=False,
        )
    )


def _finish(key: ExecutionKey, actions: list[Action], counter: str) -> bool:
    """Ends a running run and counts it, in one transaction; False if it was not running."""
    finishing = [*actions, *_task_released(), ExecutionRecord.next_email_at.remove()]

    def write(tx: Transaction, counted: bool = True) -> None:
        tx.update(
            ExecutionRecord(key.automation_id, key.contact_id),
            finishing,
            ExecutionRecord.contact_id.exists() & _of_run(key) & _is_running(),
            add_version_condition=False,
        )
        if counted:
            automation_store.add_counters(tx, key.automation_id, {counter: 1})

    refused = transact(ExecutionRecord.Meta.region, write)
    if refused == [1]:  # the automation was deleted: the run ends, counted nowhere
        refused = transact(ExecutionRecord.Meta.region, lambda tx: write(tx, counted=False))
    return not refused


def complete(key: ExecutionKey, order: int, now: datetime) -> bool:
    return _finish(
        key,
        [
            ExecutionRecord.status.set(ExecutionStatus.COMPLETED.value),
            ExecutionRecord.current_email_order.set(order),
            ExecutionRecord.completed_at.set(now),
            ExecutionRecord.updated_at.set(now),
        ],
        "completed",
    )


def stop(key: ExecutionKey, reason: str, now: datetime) -> bool:
    return _finish(
        key,
        [
            ExecutionRecord.status.set(ExecutionStatus.STOPPED.value),
            ExecutionRecord.stopped_reason.set(reason[:500]),
            ExecutionRecord.stopped_at.set(now),
            ExecutionRecord.updated_at.set(now),
        ],
        "stopped",
    )


def page(
    automation_id: str, limit: int, start_key: dict[str, Any] | None, status: ExecutionStatus | None = None
) -> tuple[list[AutomationExecution], dict[str, Any] | None]:
    condition = None if status is None else ExecutionRecord.status == status.value
    results = ExecutionRecord.query(
        automation_id, filter_condition=condition, limit=limit, last_evaluated_key=start_key
    )
    return [item.run().as_execution() for item in results], results.last_evaluated_key


def running(automation_id: str) -> Iterator[Run]:
    for item in ExecutionRecord.query(automation_id, filter_condition=_is_running()):
        yield item.run()


def held(automation_id: str) -> Iterator[Run]:
    """Running executions whose current email the worker holds (paused, or never finished)."""
    query = ExecutionRecord.query(automation_id, filter_condition=_is_running() & ExecutionRecord.task_token.exists())
    for item in query:
        yield item.run()


def of_contact(automation_ids: list[str], contact_id: str) -> list[Run]:
    """The contact's execution in each of these automations."""
    keys = [(automation_id, contact_id) for automation_id in automation_ids]
    return [item.run() for item in ExecutionRecord.batch_get(keys)] if keys else []


def every_run_of(contact_id: str) -> list[Run]:
    """The contact's runs in every automation, deleted ones included (export and erasure).

    A rare full scan, as for the contact's campaign recipients (decision 29): keys by the
    automations that exist miss the runs of one deleted since, which keep the trigger key and the
    cart. An index by contact would cost a write on every run entered, to spare erasure a scan
    of a table smaller than the recipients' one it scans anyway (where every email sent by a run
    is a recipient)."""
    return [item.run() for item in ExecutionRecord.scan(filter_condition=ExecutionRecord.contact_id == contact_id)]


def forget(runs: list[Run]) -> None:
    with ExecutionRecord.batch_write() as batch:
        for run in runs:
            batch.delete(ExecutionRecord(run.automation_id, run.contact_id))
