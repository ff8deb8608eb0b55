"""Email templates (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.campaigns.models.campaign_requests import TestSendRequest, TestSendResult
from marketing.campaigns.services import campaigns
from marketing.email.models.template_requests import PreviewRequest, TemplateCreate, TemplatePage, TemplatePatch
from marketing.email.models.templates import EmailTemplate, Preview
from marketing.email.services import templates as service

router = APIGatewayHttpRouter()
TemplateId = Annotated[str, Path(description="Template id")]


@router.get("/templates/", summary="List templates, newest first", security=STAFF, tags=["templates"])
def list_templates(
    limit: PageLimit = None,
    cursor: PageCursor = None,
) -> TemplatePage:
    return service.list_page(limit, cursor)


@router.post("/templates/", summary="Create a template", security=STAFF, tags=["templates"], status_code=201)
def create_template(body: Annotated[TemplateCreate, Body()]) -> EmailTemplate:
    return service.create(body)


@router.get("/templates/<template_id>/", summary="Get a template", security=STAFF, tags=["templates"])
def get_template(template_id: TemplateId) -> EmailTemplate:
    return service.get(template_id)


@router.patch("/templates/<template_id>/", summary="Change a template", security=STAFF, tags=["templates"])
def update_template(template_id: TemplateId, body: Annotated[TemplatePatch, Body()]) -> EmailTemplate:
    return service.update(template_id, body)


@router.delete(
    "/templates/<template_id>/", summary="Delete a template", security=STAFF, tags=["templates"], status_code=204
)
def delete_template(template_id: TemplateId) -> None:
    service.delete(template_id)


@router.post("/templates/<template_id>/preview/", summary="Render with sample data", security=STAFF, tags=["templates"])
def preview_template(template_id: TemplateId, body: Annotated[PreviewRequest, Body()] = None) -> Preview:
    return service.preview(template_id, body or PreviewRequest())


@router.post(
    "/templates/<template_id>/test-send/",
    summary="Send test copies to a few addresses, subject marked [Test] (nothing is counted)",
    security=STAFF,
    tags=["templates"],
)
def test_send_template(template_id: TemplateId, body: Annotated[TestSendRequest, Body()]) -> TestSendResult:
    return campaigns.test_send_template(template_id, body)
