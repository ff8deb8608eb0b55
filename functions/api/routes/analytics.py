"""Analytics across campaigns (staff)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.campaigns.models.campaign_requests import AnalyticsOverview, CampaignReportPage
from marketing.campaigns.services import campaigns as service

router = APIGatewayHttpRouter()
TAGS = ["analytics"]


@router.get("/analytics/overview/", summary="Totals and rates over every sent campaign", security=STAFF, tags=TAGS)
def overview() -> AnalyticsOverview:
    return service.overview()


@router.get("/analytics/campaigns/", summary="Each campaign's analytics, newest first", security=STAFF, tags=TAGS)
def campaign_reports(limit: PageLimit = None, cursor: PageCursor = None) -> CampaignReportPage:
    return service.reports_page(limit, cursor)
