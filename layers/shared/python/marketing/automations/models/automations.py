"""Automations and their executions, and the automation queue's messages. What only the routes
take and return is in automation_requests.

An automation is a series of emails a trigger starts for one contact: `user_registered` (a welcome
series) or `cart_abandoned`. Each email waits `delay_hours` after the one before it (the first,
after the trigger), as in Mailchimp's and Klaviyo's flows. New automations are paused; `activate/`
starts taking triggers. A contact is in at most one execution of an automation at a time.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import Field

from marketing.campaigns.models.analytics import CampaignAnalytics
from marketing.models import ApiInput, ApiModel

MAX_EMAILS = 20
MAX_DELAY_HOURS = 24 * 365


class Trigger(StrEnum):
    USER_REGISTERED = "user_registered"
    CART_ABANDONED = "cart_abandoned"


class AutomationStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class ExecutionStatus(StrEnum):
    PENDING = "pending"  # recorded, its Step Functions execution not confirmed started yet
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED = "stopped"


RUNNING = {ExecutionStatus.PENDING, ExecutionStatus.IN_PROGRESS}


class AutomationEmail(ApiInput):
    order: int = Field(ge=1, le=MAX_EMAILS, description="Position in the series, 1..n without gaps")
    delay_hours: int = Field(
        ge=0, le=MAX_DELAY_HOURS, description="Hours to wait after the previous email (the first: after the trigger)"
    )
    template_id: str = Field(min_length=1)
    subject: str | None = Field(
        default=None, min_length=1, max_length=998, description="Overrides the template's subject; merge tags allowed."
    )


class Automation(ApiModel):
    id: str
    name: str
    trigger: Trigger
    status: AutomationStatus
    emails: list[AutomationEmail]
    allow_reentry: bool
    from_name: str | None
    from_email: str | None
    reply_to: str | None
    created_at: datetime
    updated_at: datetime

    def email(self, order: int) -> AutomationEmail | None:
        return next((email for email in self.emails if email.order == order), None)


class AutomationExecution(ApiModel):
    """A contact's latest run through an automation (one record per automation and contact)."""

    automation_id: str
    contact_id: str
    entry: int = Field(description="1 for the contact's first run through this automation, 2 for a re-entry, ...")
    trigger: Trigger
    triggered_at: datetime
    current_email_order: int = Field(description="The last email handled (sent or skipped); 0 before the first")
    status: ExecutionStatus
    started_at: datetime
    next_email_at: datetime | None = Field(default=None, description="When the next email is due")
    held: bool = Field(default=False, description="An email is due but held while the automation is paused")
    completed_at: datetime | None = None
    stopped_at: datetime | None = None
    stopped_reason: str | None = None


class AutomationEmailAnalytics(CampaignAnalytics):
    """One email of the series: counters kept as events happen, like a campaign's."""

    order: int
    suppressed: int = 0
    failed: int = 0


# --- queue messages (internal) ---------------------------------------------------------------
class ExecutionKey(ApiModel):
    automation_id: str
    contact_id: str
    entry: int = Field(ge=1)


class Run(NamedTuple):
    """A contact's run through an automation as the rules read it (AutomationExecution is what the
    API shows of it)."""

    key: ExecutionKey
    trigger: Trigger
    trigger_key: str
    correlation_id: str | None  # of the request or event that started it
    triggered_at: datetime
    merge_fields: dict[str, Any] | None  # what the trigger adds to the emails (e.g. the cart)
    status: ExecutionStatus
    current_email_order: int
    series_length: int | None  # emails in this run, fixed when it starts
    execution_arn: str | None
    started_at: datetime
    updated_at: datetime
    next_email_at: datetime | None
    completed_at: datetime | None
    stopped_at: datetime | None
    stopped_reason: str | None
    task_token: str | None  # the email the worker holds: the state machine's token, which, since when
    task_order: int | None
    task_since: datetime | None

    @property
    def automation_id(self) -> str:
        return self.key.automation_id

    @property
    def contact_id(self) -> str:
        return self.key.contact_id

    @property
    def entry(self) -> int:
        return self.key.entry

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    def as_execution(self) -> AutomationExecution:
        return AutomationExecution(
            automation_id=self.automation_id,
            contact_id=self.contact_id,
            entry=self.entry,
            trigger=self.trigger,
            triggered_at=self.triggered_at,
            current_email_order=self.current_email_order,
            status=self.status,
            started_at=self.started_at,
            next_email_at=self.next_email_at,
            held=self.task_token is not None and self.running,
            completed_at=self.completed_at,
            stopped_at=self.stopped_at,
            stopped_reason=self.stopped_reason,
        )


class SendTask(ApiModel):
    """On the automation-sends queue, put there by the state machine (or handed back after a pause):
    send email `order` of this run, then answer `task_token` so the run goes on to its next delay."""

    execution: ExecutionKey
    order: int = Field(ge=1)
    of: int = Field(ge=1, description="Emails in this run: `order` == `of` is the last")
    task_token: str = Field(min_length=1)
    attempt: int = Field(default=1, ge=1)


class ResumeHeld(ApiModel):
    """On the automation-sends queue, put there by `activate/`: hand back every email held while
    the automation was paused."""

    resume_automation_id: str
