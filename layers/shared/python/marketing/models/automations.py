"""Automation, execution and analytics models (the API's edge), and the automation queue's messages.

An automation is a series of emails a trigger starts for one contact: `user_registered` (a welcome
series) or `cart_abandoned`. Each email waits `delay_hours` after the one before it (the first,
after the trigger), as in Mailchimp's and Klaviyo's flows. New automations are paused; `activate/`
starts taking triggers. A contact is in at most one execution of an automation at a time.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, computed_field, field_validator

from marketing.models.analytics import CampaignAnalytics
from marketing.models.base import ApiInput, ApiModel
from marketing.models.contacts import Email

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


def _in_order(emails: list[AutomationEmail]) -> list[AutomationEmail]:
    orders = sorted(email.order for email in emails)
    if orders != list(range(1, len(emails) + 1)):
        raise ValueError(f"orders must be 1..{len(emails)}, each once, without gaps (got {orders})")
    return sorted(emails, key=lambda email: email.order)


class AutomationCreate(ApiInput):
    name: str = Field(min_length=1, max_length=200)
    trigger: Trigger
    emails: list[AutomationEmail] = Field(min_length=1, max_length=MAX_EMAILS)
    allow_reentry: bool = Field(
        default=False, description="A contact whose execution has ended may enter again on a new trigger"
    )
    from_name: str | None = Field(default=None, min_length=1, max_length=100, description="Default: the shop's name")
    from_email: Email | None = Field(default=None, description="Default: the platform's sender address")
    reply_to: Email | None = None

    @field_validator("emails")
    @classmethod
    def _emails_in_order(cls, emails: list[AutomationEmail]) -> list[AutomationEmail]:
        return _in_order(emails)


class AutomationPatch(ApiInput):
    """The trigger is fixed at creation: executions already running were started by it."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    emails: list[AutomationEmail] | None = Field(default=None, min_length=1, max_length=MAX_EMAILS)
    allow_reentry: bool | None = None
    from_name: str | None = Field(default=None, min_length=1, max_length=100)
    from_email: Email | None = None
    reply_to: Email | None = None

    @field_validator("emails")
    @classmethod
    def _emails_in_order(cls, emails: list[AutomationEmail] | None) -> list[AutomationEmail] | None:
        return None if emails is None else _in_order(emails)


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


class AutomationPage(ApiModel):
    items: list[Automation]
    next: str | None = Field(default=None, description="Cursor for the next page; absent on the last page.")


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


class ExecutionPage(ApiModel):
    items: list[AutomationExecution]
    next: str | None = Field(default=None, description="Cursor for the next page; absent on the last page.")


class AutomationEmailAnalytics(CampaignAnalytics):
    """One email of the series: counters kept as events happen, like a campaign's."""

    order: int
    suppressed: int = 0
    failed: int = 0


class AutomationAnalytics(ApiModel):
    automation_id: str
    entered: int = 0
    completed: int = 0
    stopped: int = 0
    emails: list[AutomationEmailAnalytics]
    waiting_by_email: dict[str, int] = Field(
        default_factory=dict,
        description="Running executions by the next email they wait for, as counted by the last sweep",
    )
    counted_at: datetime | None = Field(default=None, description="When the sweep last counted `waiting_by_email`")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_progress(self) -> int:
        return max(0, self.entered - self.completed - self.stopped)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def conversions(self) -> int:
        return sum(email.conversions for email in self.emails)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def revenue(self) -> str:
        return f"{sum((email.revenue for email in self.emails), Decimal('0')):.2f}"


# --- queue messages (internal) ---------------------------------------------------------------
class ExecutionKey(ApiModel):
    automation_id: str
    contact_id: str
    entry: int = Field(ge=1)


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
