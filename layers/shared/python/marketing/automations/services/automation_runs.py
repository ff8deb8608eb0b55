"""Runs of contacts through automations: entering on a trigger, starting the state machine,
stopping a run, handing back emails held while an automation was paused.

Entering is recorded before Step Functions hears of it (store/executions: at most one run per
automation and contact), and the execution's name is derived from the automation, the contact
and the trigger, so a trigger delivered twice, or retried after a crash between the two steps,
starts one execution: Step Functions returns the running one for the same name and input.

The state machine gets each email's wait in seconds, computed when the run starts: `delay_hours`
× AUTOMATION_HOUR_SECONDS (3600; local mode may scale hours down to seconds to watch a series).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from marketing import clock
from marketing.audience.models.subscribers import SubscriberStatus
from marketing.audience.store import subscribers as subscriber_store
from marketing.automations.models.automations import (
    Automation,
    AutomationEmail,
    AutomationStatus,
    ExecutionStatus,
    Run,
    SendTask,
    Trigger,
)
from marketing.automations.store import automations as automation_store
from marketing.automations.store import executions as execution_store
from marketing.aws import messaging, workflows
from marketing.catalog.topology import AUTOMATION_SENDS
from marketing.observability import logger, metrics

HOUR_SECONDS_ENV = "AUTOMATION_HOUR_SECONDS"
CLOCK_SKEW = timedelta(minutes=5)  # the shop's clock and ours may disagree a little


def hour_seconds() -> float:
    return float(os.environ.get(HOUR_SECONDS_ENV, "3600"))


def wait_seconds(email: AutomationEmail) -> int:
    return round(email.delay_hours * hour_seconds())


def execution_name(automation_id: str, contact_id: str, trigger_key: str) -> str:
    """Step Functions' name for the run (≤ 80 characters of [A-Za-z0-9_-])."""
    digest = hashlib.sha256(trigger_key.encode()).hexdigest()[:16]
    return f"{automation_id}-{contact_id}-{digest}"


def trigger(
    kind: Trigger,
    contact_id: str,
    trigger_key: str,
    triggered_at: datetime,
    merge_fields: dict[str, Any] | None = None,
) -> list[str]:
    """Starts every active automation of this trigger for the contact, if it is subscribed (a
    contact without consent would only be stopped at the first email); what happened to each.
    `merge_fields` are what the run's emails may use besides the contact's (e.g. `cart`)."""
    subscriber = subscriber_store.find(subscriber_store.subscriber_id(contact_id))
    if subscriber is None or subscriber.status != SubscriberStatus.SUBSCRIBED:
        return [f"contact {contact_id} is not subscribed: no automation started"]
    return [
        enter(automation, contact_id, trigger_key, triggered_at, merge_fields)
        for automation in automation_store.with_trigger(kind, AutomationStatus.ACTIVE)
    ]


def enter(
    automation: Automation,
    contact_id: str,
    trigger_key: str,
    triggered_at: datetime,
    merge_fields: dict[str, Any] | None = None,
) -> str:
    execution = execution_store.enter(
        automation.id,
        contact_id,
        Trigger(automation.trigger),
        trigger_key,
        triggered_at,
        merge_fields,
        allow_reentry=bool(automation.allow_reentry),
        now=clock.utcnow(),
        correlation_id=logger.get_correlation_id(),
    )
    if execution is None:
        existing = execution_store.find(automation.id, contact_id)
        retrying = (
            existing is not None
            and existing.trigger_key == trigger_key
            and existing.status == ExecutionStatus.PENDING.value
        )
        if not retrying:
            return f"automation {automation.id}: contact {contact_id} is in it already or may not re-enter"
        execution = existing  # recorded by an earlier attempt that did not get to start it
    assert execution is not None
    start(automation, execution)
    metrics.add_metric(name="AutomationRunsStarted", unit="Count", value=1)
    return f"automation {automation.id}: run {execution.entry} started for contact {contact_id}"


def start(automation: Automation, execution: Run) -> None:
    """Starts (or finds started) the execution of a pending run and marks it in progress."""
    emails = automation.emails
    execution_input: dict[str, Any] = {
        "execution": execution.key.model_dump(),
        "emails": [{"order": email.order, "wait_seconds": wait_seconds(email)} for email in emails],
        "count": len(emails),
        "next": 0,
    }
    arn = workflows.start(execution_name(automation.id, execution.contact_id, execution.trigger_key), execution_input)
    now = clock.utcnow()
    execution_store.mark_started(execution.key, arn, len(emails), now + timedelta(seconds=wait_seconds(emails[0])), now)


def stop(execution: Run, reason: str, task_token: str | None = None) -> bool:
    """Stops a running run: recorded first (what the API shows and the worker checks), then its
    execution, with the email it waits on (`task_token`, default: the one the run holds). False
    if it was not running."""
    stopped = execution_store.stop(execution.key, reason, clock.utcnow())
    if execution.execution_arn:
        workflows.stop(execution.execution_arn, reason, task_token or execution.task_token)
    if stopped:
        metrics.add_metric(name="AutomationRunsStopped", unit="Count", value=1)
        logger.info("automation run stopped", automation_id=execution.automation_id, reason=reason)
    return stopped


def stop_for_order(contact_id: str, order_id: str, paid_at: datetime) -> int:
    """An order paid stops the contact's abandoned-cart runs started before it; how many."""
    cart_automations = [automation.id for automation in automation_store.with_trigger(Trigger.CART_ABANDONED)]
    return sum(
        stop(execution, f"order {order_id} paid")
        for execution in execution_store.of_contact(cart_automations, contact_id)
        if execution.running and execution.triggered_at <= paid_at + CLOCK_SKEW
    )


def hand_back(executions: Iterable[Run]) -> int:
    """Sends the emails these runs hold (paused, or never finished) to the sending queue again,
    with their tokens; the claim on each recipient keeps any email from going out twice."""
    return messaging.send_batch(
        AUTOMATION_SENDS,
        (
            SendTask(
                execution=execution.key,
                order=int(execution.task_order),
                of=int(execution.series_length or execution.task_order),
                task_token=execution.task_token,
            ).model_dump(mode="json")
            for execution in executions
            if execution.task_token and execution.task_order
        ),
    )


def resume_held(automation_id: str) -> int:
    """Hands back the emails held while the automation was paused."""
    return hand_back(execution_store.held(automation_id))


def executions_of(contact_id: str) -> list[Run]:
    """The contact's run in each automation, deleted ones too (export and erasure)."""
    return execution_store.every_run_of(contact_id)


def forget_contact(contact_id: str) -> None:
    """Erasure: the contact's runs are stopped and their records deleted."""
    executions = executions_of(contact_id)
    for execution in executions:
        if execution.running:  # also a run of a deleted automation: it stops counted nowhere
            stop(execution, "contact erased")
    execution_store.forget(executions)
