"""Automation rules for staff: editing a series, activating and pausing, executions, analytics.

- A series is checked when saved: orders 1..n without gaps, delays ≥ 0 (the models), every
  template exists and every subject override is a valid template (400 naming the email).
- New automations are paused. `activate/` checks again that every template exists (422 naming
  the email otherwise), starts taking triggers and hands back the emails held while paused;
  `pause/` stops its sends at once: due emails are held, waits go on.
- Edits apply to running executions from their next email: each email is read when it is sent
  (an email removed from the series is skipped); the waits of a run are fixed when it starts.
- Deleting an automation stops its runs as their next email comes due.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marketing import clock, pagination
from marketing.activity.models.activity import AutomationTimeline, EmailTimeline
from marketing.activity.services import activity
from marketing.automations.models.automation_requests import (
    AutomationAnalytics,
    AutomationCreate,
    AutomationPage,
    AutomationPatch,
    ExecutionPage,
)
from marketing.automations.models.automations import (
    Automation,
    AutomationEmail,
    AutomationStatus,
    ExecutionStatus,
    ResumeHeld,
)
from marketing.automations.store import automations as store
from marketing.automations.store import executions as execution_store
from marketing.aws import messaging
from marketing.campaigns.store.mailings import automation_email_series
from marketing.catalog.topology import AUTOMATION_SENDS
from marketing.config import NO_POSTAL_ADDRESS, EmailSettings, load_settings
from marketing.email.services import rendering
from marketing.email.store import templates as template_store
from marketing.errors import BusinessRuleViolation, NotFound, ValidationFailed
from marketing.ids import new_id

TIMELINE_DAYS = timedelta(days=30)


def _without_template(emails: list[AutomationEmail]) -> int | None:
    """The position of the first email whose template does not exist, or None."""
    for index, email in enumerate(emails):
        try:
            template_store.get(email.template_id)
        except NotFound:
            return index
    return None


def _check_emails(emails: list[AutomationEmail]) -> None:
    missing = _without_template(emails)
    if missing is not None:
        raise ValidationFailed.field(f"emails[{missing}].template_id", "no template with this id")
    for index, email in enumerate(emails):
        if email.subject:
            rendering.validate(f"emails[{index}].subject", email.subject, html=False)


def create(request: AutomationCreate) -> Automation:
    _check_emails(request.emails)
    load_settings(EmailSettings).refuse_foreign_sender(request.from_email)
    now = clock.utcnow()
    return store.create(
        Automation(
            id=new_id("aut"),
            status=AutomationStatus.PAUSED,
            created_at=now,
            updated_at=now,
            **request.model_dump(),
        )
    )


def get(automation_id: str) -> Automation:
    return store.get(automation_id)


def list_page(limit: int | None, cursor: str | None) -> AutomationPage:
    items, last_key = store.list_page(pagination.page_size(limit), pagination.decode_cursor(cursor, "automations"))
    return AutomationPage(items=items, next=pagination.encode_cursor(last_key, "automations"))


def update(automation_id: str, patch: AutomationPatch) -> Automation:
    changes: dict[str, Any] = {field: getattr(patch, field) for field in patch.model_fields_set}
    for field in ("name", "emails", "allow_reentry"):
        if field in changes and changes[field] is None:
            raise ValidationFailed.field(field, "may not be null")
    if "emails" in changes:
        _check_emails(changes["emails"])
    load_settings(EmailSettings).refuse_foreign_sender(changes.get("from_email"))
    if not changes:
        return get(automation_id)
    return store.update(automation_id, changes, clock.utcnow())


def delete(automation_id: str) -> None:
    store.delete(automation_id)


def activate(automation_id: str) -> Automation:
    """Starts (or resumes) sending; refused (422) while an email's template is missing or the
    shop's postal address, which every marketing email's footer carries, is not configured."""
    emails = store.get(automation_id).emails
    if load_settings(EmailSettings).postal_address is None:
        raise BusinessRuleViolation(
            f"cannot activate: postal_address: {NO_POSTAL_ADDRESS}",
            [{"field": "postal_address", "reason": NO_POSTAL_ADDRESS}],
        )
    missing = _without_template(emails)
    if missing is not None:
        reason = f"template {emails[missing].template_id} no longer exists"
        raise BusinessRuleViolation(
            f"cannot activate: email {emails[missing].order}: {reason}",
            [{"field": f"emails[{missing}].template_id", "reason": reason}],
        )
    activated = store.set_status(automation_id, AutomationStatus.ACTIVE, clock.utcnow())
    messaging.send(AUTOMATION_SENDS, ResumeHeld(resume_automation_id=automation_id).model_dump(mode="json"))
    return activated


def pause(automation_id: str) -> Automation:
    store.get(automation_id)  # 404 for an unknown automation
    return store.set_status(automation_id, AutomationStatus.PAUSED, clock.utcnow())


def executions_page(
    automation_id: str, limit: int | None, cursor: str | None, status: ExecutionStatus | None
) -> ExecutionPage:
    store.get(automation_id)
    start_key = pagination.decode_cursor(cursor, "automation-executions", automation=automation_id, status=status)
    items, last_key = execution_store.page(automation_id, pagination.page_size(limit), start_key, status)
    next_cursor = pagination.encode_cursor(last_key, "automation-executions", automation=automation_id, status=status)
    return ExecutionPage(items=items, next=next_cursor)


def timeline(automation_id: str) -> AutomationTimeline:
    """Each email's sends, opens, clicks and conversions over time: an automation never finishes,
    so its emails are charted over the last 30 days (by the hour while it is younger than three)."""
    automation = store.get(automation_id)
    now = clock.utcnow()
    since = max(automation.created_at, now - TIMELINE_DAYS)
    charted = {
        email.order: activity.mailing_timeline(automation_email_series(automation_id, email.order), since, now)
        for email in automation.emails
    }
    return AutomationTimeline(
        emails=[EmailTimeline(order=order, **timeline.model_dump()) for order, timeline in charted.items()]
    )


def analytics(automation_id: str) -> AutomationAnalytics:
    counts = store.run_counts(automation_id)
    return AutomationAnalytics(
        automation_id=automation_id, emails=store.email_analytics(store.get(automation_id)), **counts._asdict()
    )
