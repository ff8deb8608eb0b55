"""Sending one automation email, when the state machine hands it over (or it is handed back).

Before each send the rules are checked again, against what is true now:
- the run is still this one and still running (a late message of an old run does nothing);
- the automation still exists (else the run stops) and is active (if paused, the email is held:
  its task token stays on the run, and `activate/` hands it back);
- the contact still exists and may get the email's type (else the run stops: an unsubscribed
  contact gets none of the rest);
- for an abandoned cart, no order was paid since the cart was abandoned (else the run stops).
Then the email goes through the same path as a campaign's (services/delivery.py): claim,
render, send, record, so a redelivered message never sends it twice. The run's progress is
recorded, and its token answered so the state machine goes on to the next delay; after the
last email the run is completed.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError

from marketing import clock
from marketing.audience.store import contacts as contact_store
from marketing.automations.models.automations import Automation, AutomationStatus, ResumeHeld, Run, SendTask, Trigger
from marketing.automations.services import automation_runs
from marketing.automations.store import automations as automation_store
from marketing.automations.store import executions as execution_store
from marketing.aws import messaging, workflows
from marketing.aws.workers import parse_message
from marketing.campaigns.models.mailings import AutomationEmailRun, MailingRef
from marketing.campaigns.models.recipients import RecipientStatus
from marketing.campaigns.services import delivery
from marketing.catalog.topology import AUTOMATION_SENDS
from marketing.clock import Deadline
from marketing.config import EmailSettings, load_settings
from marketing.errors import NotFound
from marketing.observability import logger


def parse(body: str) -> SendTask | ResumeHeld:
    """A message of the automation-sends queue: staff's resume of held emails, or a send task
    (Unprocessable if neither). Tried in turn rather than as a RootModel union, whose module
    costs every cold start about 5 ms."""
    try:
        return ResumeHeld.model_validate_json(body)
    except ValidationError:
        return parse_message(SendTask, body)


def handle(message: SendTask | ResumeHeld, deadline: Deadline) -> str:
    if isinstance(message, ResumeHeld):
        handed_back = automation_runs.resume_held(message.resume_automation_id)
        return f"automation {message.resume_automation_id}: {handed_back} held email(s) handed back"
    return send(message, deadline)


def send(task: SendTask, deadline: Deadline) -> str:
    key = task.execution
    execution = execution_store.find(key.automation_id, key.contact_id)
    if execution is not None and execution.correlation_id:
        logger.set_correlation_id(execution.correlation_id)  # the request or event that started the run
    current = execution is not None and int(execution.entry) == key.entry and execution.running
    if current and execution is not None and task.order <= int(execution.current_email_order or 0):
        # A late copy of the message of an email the run has moved past: its token is answered,
        # and the run may hold a later email's (a paused automation) that holding this would drop.
        return f"email {task.order} of run {key.entry} was handled before: nothing to do"
    # Holding the task is conditional too: the run may end, or move on, between the read and this write.
    if (
        execution is None
        or not current
        or not execution_store.hold_task(key, task.order, task.task_token, clock.utcnow())
    ):
        workflows.abandon(task.task_token, "the run is over")
        return f"run {key.entry} of {key.automation_id} for {key.contact_id} is over: nothing sent"
    automation = automation_store.find(key.automation_id)
    if automation is None:
        return _stop(execution, task, "the automation was deleted")
    if automation.status != AutomationStatus.ACTIVE.value:
        return f"automation {automation.id} is {automation.status}: email {task.order} held until it is activated"
    email = automation.email(task.order)
    if email is None:
        return _advance(execution, automation, task, f"email {task.order} is no longer in the series: skipped")
    try:
        contact = contact_store.get(key.contact_id)
    except NotFound:
        return _stop(execution, task, "the contact was erased")
    if (
        automation.trigger == Trigger.CART_ABANDONED.value
        and contact.last_order_at is not None
        and contact.last_order_at >= execution.triggered_at - automation_runs.CLOCK_SKEW
    ):
        return _stop(execution, task, "an order was paid since the cart was abandoned")
    try:
        mail_template = delivery.cached_template(email.template_id)
    except NotFound:
        return _stop(execution, task, f"template {email.template_id} of email {task.order} no longer exists")

    settings = load_settings(EmailSettings)
    mailing = delivery.Mailing(
        MailingRef.automation_email(AutomationEmailRun(automation.id, task.order, key.entry)),
        automation.from_name or settings.shop_name,
        automation.from_email or settings.sender_address,
        automation.reply_to,
        email.subject,
    )
    sent = delivery.deliver_to(
        settings,
        mailing,
        mail_template,
        {contact.id: contact},
        task.attempt,
        deadline,
        extra_fields={contact.id: execution.merge_fields or {}},
    )
    if contact.id in sent.suppressed:
        return _stop(execution, task, f"the contact may not get this email: {sent.suppressed[contact.id].value}")
    if sent.count(RecipientStatus.PENDING):
        (retry,) = delivery.retries(sent.results, task.attempt)
        messaging.send(
            AUTOMATION_SENDS,
            task.model_copy(update={"attempt": retry.attempt}).model_dump(mode="json"),
            delay_seconds=retry.delay_seconds,
        )
        return f"email {task.order}: not sent now, tried again later"
    outcome = "failed" if sent.count(RecipientStatus.FAILED) else "sent" if sent.results else "handled before"
    return _advance(execution, automation, task, f"email {task.order} {outcome}")


def _advance(execution: Run, automation: Automation, task: SendTask, outcome: str) -> str:
    """Records email `task.order` as handled and lets the run go on (or completes it)."""
    now = clock.utcnow()
    if task.order >= task.of:
        execution_store.complete(execution.key, task.order, now)
        outcome += "; run completed"
    else:
        following = automation.email(task.order + 1)
        wait = automation_runs.wait_seconds(following) if following else 0
        execution_store.record_progress(execution.key, task.order, now + timedelta(seconds=wait), now)
    workflows.task_done(task.task_token)
    return outcome


def _stop(execution: Run, task: SendTask, reason: str) -> str:
    automation_runs.stop(execution, reason, task.task_token)
    return f"run stopped: {reason}"
