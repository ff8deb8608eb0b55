"""Campaigns (staff): edit, send now or later, watch progress, test, retry, report."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.activity.models.activity import MailingLinks, MailingTimeline
from marketing.campaigns.models.campaign_requests import (
    CampaignCreate,
    CampaignPage,
    CampaignPatch,
    RecipientPage,
    RetryResult,
    ScheduleRequest,
    TestSendRequest,
    TestSendResult,
)
from marketing.campaigns.models.campaigns import Campaign, CampaignAnalytics
from marketing.campaigns.models.recipients import RecipientStatus
from marketing.campaigns.services import campaigns as service

router = APIGatewayHttpRouter()
CampaignId = Annotated[str, Path(description="Campaign id")]
TAGS = ["campaigns"]


@router.get("/campaigns/", summary="List campaigns, newest first", security=STAFF, tags=TAGS)
def list_campaigns(limit: PageLimit = None, cursor: PageCursor = None) -> CampaignPage:
    return service.list_page(limit, cursor)


@router.post("/campaigns/", summary="Create a draft campaign", security=STAFF, tags=TAGS, status_code=201)
def create_campaign(body: Annotated[CampaignCreate, Body()]) -> Campaign:
    return service.create(body)


@router.get(
    "/campaigns/<campaign_id>/",
    summary="Get a campaign",
    description="`progress` counts recipients while it sends: total, queued, sent, failed, suppressed. `cost` "
    "estimates the send before it starts from the segment's members who can be sent to (`excluded`: the others, "
    "by reason), and counts it after.",
    security=STAFF,
    tags=TAGS,
)
def get_campaign(campaign_id: CampaignId) -> Campaign:
    return service.get(campaign_id)


@router.patch(
    "/campaigns/<campaign_id>/",
    summary="Change a draft or scheduled campaign",
    description="409 once it is sending, sent or cancelled.",
    security=STAFF,
    tags=TAGS,
)
def update_campaign(campaign_id: CampaignId, body: Annotated[CampaignPatch, Body()]) -> Campaign:
    return service.update(campaign_id, body)


@router.delete(
    "/campaigns/<campaign_id>/",
    summary="Delete a draft, scheduled or cancelled campaign",
    description="A campaign that is sending or was sent keeps its report: 409.",
    security=STAFF,
    tags=TAGS,
    status_code=204,
)
def delete_campaign(campaign_id: CampaignId) -> None:
    service.delete(campaign_id)


@router.post(
    "/campaigns/<campaign_id>/send/",
    summary="Send now",
    description="Checks the template, segment and sender (422 naming what to fix), then queues the send "
    "and answers at once; follow `progress` on the campaign.",
    security=STAFF,
    tags=TAGS,
    status_code=202,
)
def send_campaign(campaign_id: CampaignId) -> Campaign:
    return service.send(campaign_id)


@router.post(
    "/campaigns/<campaign_id>/schedule/",
    summary="Send at a time",
    description="One EventBridge Scheduler schedule per campaign: scheduling again replaces it.",
    security=STAFF,
    tags=TAGS,
)
def schedule_campaign(campaign_id: CampaignId, body: Annotated[ScheduleRequest, Body()]) -> Campaign:
    return service.schedule(campaign_id, body)


@router.post(
    "/campaigns/<campaign_id>/cancel/",
    summary="Cancel a scheduled, sending or paused campaign",
    description="Deletes the schedule; a sending campaign stops where it is (what was sent stays sent).",
    security=STAFF,
    tags=TAGS,
)
def cancel_campaign(campaign_id: CampaignId) -> Campaign:
    return service.cancel(campaign_id)


@router.post(
    "/campaigns/<campaign_id>/pause/",
    summary="Pause a sending campaign",
    description="Deliveries are held (not dropped) until the campaign is resumed or cancelled. The reputation "
    "guard pauses a campaign by itself when its bounce rate reaches 2% or its complaint rate 0.08%.",
    security=STAFF,
    tags=TAGS,
)
def pause_campaign(campaign_id: CampaignId) -> Campaign:
    return service.pause(campaign_id)


@router.post(
    "/campaigns/<campaign_id>/resume/",
    summary="Resume a paused campaign",
    description="The batches held while paused go back on the delivery queue within seconds, and an unfinished "
    "expansion continues; 409 unless the campaign is paused.",
    security=STAFF,
    tags=TAGS,
)
def resume_campaign(campaign_id: CampaignId) -> Campaign:
    return service.resume(campaign_id)


@router.post(
    "/campaigns/<campaign_id>/test-send/",
    summary="Send a test copy",
    description="One rendered copy per address, subject prefixed [Test]. A contact's address renders with its "
    "fields, others with sample data. Nothing is counted.",
    security=STAFF,
    tags=TAGS,
)
def test_send_campaign(campaign_id: CampaignId, body: Annotated[TestSendRequest, Body()]) -> TestSendResult:
    return service.test_send(campaign_id, body)


@router.post(
    "/campaigns/<campaign_id>/retry-failed/",
    summary="Send again to the recipients that failed",
    security=STAFF,
    tags=TAGS,
    status_code=202,
)
def retry_failed(campaign_id: CampaignId) -> RetryResult:
    return service.retry_failed(campaign_id)


@router.get("/campaigns/<campaign_id>/recipients/", summary="Page through the recipients", security=STAFF, tags=TAGS)
def campaign_recipients(
    campaign_id: CampaignId,
    limit: PageLimit = None,
    cursor: PageCursor = None,
    status: Annotated[RecipientStatus | None, Query(description="Only recipients in this status")] = None,
) -> RecipientPage:
    return service.recipients_page(campaign_id, limit, cursor, status)


@router.get("/campaigns/<campaign_id>/analytics/", summary="Counters and rates", security=STAFF, tags=TAGS)
def campaign_analytics(campaign_id: CampaignId) -> CampaignAnalytics:
    return service.analytics(campaign_id)


@router.get(
    "/campaigns/<campaign_id>/analytics/timeline/",
    summary="Sends, opens, clicks, conversions and revenue over time (hourly for three days, then daily)",
    security=STAFF,
    tags=TAGS,
)
def campaign_timeline(campaign_id: CampaignId) -> MailingTimeline:
    return service.timeline(campaign_id)


@router.get("/campaigns/<campaign_id>/analytics/links/", summary="Clicks per link", security=STAFF, tags=TAGS)
def campaign_links(campaign_id: CampaignId) -> MailingLinks:
    return service.link_clicks(campaign_id)
