"""Automations (staff): welcome and abandoned-cart series, their executions and analytics."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.activity.models.activity import AutomationTimeline
from marketing.automations.models.automation_requests import (
    AutomationAnalytics,
    AutomationCreate,
    AutomationPage,
    AutomationPatch,
    ExecutionPage,
)
from marketing.automations.models.automations import Automation, ExecutionStatus
from marketing.automations.services import automations as service

router = APIGatewayHttpRouter()
AutomationId = Annotated[str, Path(description="Automation id")]
TAGS = ["automations"]


@router.get("/automations/", summary="List automations, newest first", security=STAFF, tags=TAGS)
def list_automations(limit: PageLimit = None, cursor: PageCursor = None) -> AutomationPage:
    return service.list_page(limit, cursor)


@router.post(
    "/automations/",
    summary="Create an automation (paused)",
    description="Emails have orders 1..n without gaps; each waits `delay_hours` after the previous one "
    "(the first, after the trigger). Templates must exist. Activate it to start taking triggers.",
    security=STAFF,
    tags=TAGS,
    status_code=201,
)
def create_automation(body: Annotated[AutomationCreate, Body()]) -> Automation:
    return service.create(body)


@router.get("/automations/<automation_id>/", summary="Get an automation", security=STAFF, tags=TAGS)
def get_automation(automation_id: AutomationId) -> Automation:
    return service.get(automation_id)


@router.patch(
    "/automations/<automation_id>/",
    summary="Change an automation",
    description="Running executions send the changed emails from their next one on; their waits stay as "
    "they were when they started. 409 if someone else changed it meanwhile.",
    security=STAFF,
    tags=TAGS,
)
def update_automation(automation_id: AutomationId, body: Annotated[AutomationPatch, Body()]) -> Automation:
    return service.update(automation_id, body)


@router.delete(
    "/automations/<automation_id>/",
    summary="Delete an automation",
    description="Its running executions stop when their next email comes due.",
    security=STAFF,
    tags=TAGS,
    status_code=204,
)
def delete_automation(automation_id: AutomationId) -> None:
    service.delete(automation_id)


@router.post(
    "/automations/<automation_id>/activate/",
    summary="Start taking triggers, and send what was held while paused",
    description="422 if an email's template no longer exists.",
    security=STAFF,
    tags=TAGS,
)
def activate_automation(automation_id: AutomationId) -> Automation:
    return service.activate(automation_id)


@router.post(
    "/automations/<automation_id>/pause/",
    summary="Stop sending and taking triggers",
    description="Emails that come due while paused are held and go out on `activate/`.",
    security=STAFF,
    tags=TAGS,
)
def pause_automation(automation_id: AutomationId) -> Automation:
    return service.pause(automation_id)


@router.get(
    "/automations/<automation_id>/executions/",
    summary="Page through the executions (each contact's latest run)",
    security=STAFF,
    tags=TAGS,
)
def automation_executions(
    automation_id: AutomationId,
    limit: PageLimit = None,
    cursor: PageCursor = None,
    status: Annotated[ExecutionStatus | None, Query(description="Only executions in this status")] = None,
) -> ExecutionPage:
    return service.executions_page(automation_id, limit, cursor, status)


@router.get(
    "/automations/<automation_id>/analytics/",
    summary="Entered, in progress, completed, stopped; per-email counters; conversions and revenue",
    security=STAFF,
    tags=TAGS,
)
def automation_analytics(automation_id: AutomationId) -> AutomationAnalytics:
    return service.analytics(automation_id)


@router.get(
    "/automations/<automation_id>/analytics/timeline/",
    summary="Each email's sends, opens, clicks and conversions over the last 30 days",
    security=STAFF,
    tags=TAGS,
)
def automation_timeline(automation_id: AutomationId) -> AutomationTimeline:
    return service.timeline(automation_id)
