"""What the automation routes take and return besides an automation and its executions: only the
API loads these, not the workers that run automations (decision 48)."""

from datetime import datetime
from decimal import Decimal

from pydantic import Field, computed_field, field_validator

from marketing.audience.models.contacts import DisplayName, Email
from marketing.automations.models.automations import (
    MAX_EMAILS,
    Automation,
    AutomationEmail,
    AutomationEmailAnalytics,
    AutomationExecution,
    Trigger,
)
from marketing.models import ApiInput, ApiModel, NextCursor


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
    from_name: DisplayName | None = Field(default=None, description="Default: the shop's name")
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
    from_name: DisplayName | None = None
    from_email: Email | None = None
    reply_to: Email | None = None

    @field_validator("emails")
    @classmethod
    def _emails_in_order(cls, emails: list[AutomationEmail] | None) -> list[AutomationEmail] | None:
        return None if emails is None else _in_order(emails)


class AutomationPage(ApiModel):
    items: list[Automation]
    next: NextCursor = None


class ExecutionPage(ApiModel):
    items: list[AutomationExecution]
    next: NextCursor = None


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
