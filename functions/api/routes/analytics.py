"""Analytics across campaigns (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing import clock
from marketing.activity.models.activity import AudienceActivity
from marketing.activity.services import activity
from marketing.campaigns.models.campaign_requests import AnalyticsOverview, CampaignReportPage
from marketing.campaigns.services import campaigns as service

router = APIGatewayHttpRouter()
TAGS = ["analytics"]
Days = Annotated[int, Query(ge=1, le=366, description="How many days, today included")]


@router.get("/analytics/overview/", summary="Totals and rates over every sent campaign", security=STAFF, tags=TAGS)
def overview() -> AnalyticsOverview:
    return service.overview()


@router.get("/analytics/campaigns/", summary="Each campaign's analytics, newest first", security=STAFF, tags=TAGS)
def campaign_reports(limit: PageLimit = None, cursor: PageCursor = None) -> CampaignReportPage:
    return service.reports_page(limit, cursor)


@router.get(
    "/analytics/audience/",
    summary="The audience by day: subscriptions gained and lost, emails sent, opens, clicks, revenue",
    security=STAFF,
    tags=TAGS,
)
def audience(days: Days = 30) -> AudienceActivity:
    return activity.audience(days, clock.utcnow())
