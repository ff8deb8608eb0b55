"""Segments (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.audience.models.contact_requests import ContactPage
from marketing.audience.models.segments import Segment, SegmentCreate, SegmentPage, SegmentPatch
from marketing.audience.services import segments as service

router = APIGatewayHttpRouter()
SegmentId = Annotated[str, Path(description="Segment id")]
TAGS = ["segments"]


@router.get("/segments/", summary="List segments, newest first", security=STAFF, tags=TAGS)
def list_segments(limit: PageLimit = None, cursor: PageCursor = None) -> SegmentPage:
    return service.list_page(limit, cursor)


@router.post(
    "/segments/",
    summary="Create a segment",
    description="Static: give `contact_ids`. Dynamic: give `criteria`; the first refresh is queued at once.",
    security=STAFF,
    tags=TAGS,
    status_code=201,
)
def create_segment(body: Annotated[SegmentCreate, Body()]) -> Segment:
    return service.create(body)


@router.get("/segments/<segment_id>/", summary="Get a segment", security=STAFF, tags=TAGS)
def get_segment(segment_id: SegmentId) -> Segment:
    return service.get(segment_id)


@router.patch(
    "/segments/<segment_id>/",
    summary="Rename, change criteria, or add and remove members",
    description="New criteria queue a refresh; `add_contact_ids`/`remove_contact_ids` edit a static segment.",
    security=STAFF,
    tags=TAGS,
)
def update_segment(segment_id: SegmentId, body: Annotated[SegmentPatch, Body()]) -> Segment:
    return service.update(segment_id, body)


@router.delete("/segments/<segment_id>/", summary="Delete a segment", security=STAFF, tags=TAGS, status_code=204)
def delete_segment(segment_id: SegmentId) -> None:
    service.delete(segment_id)


@router.post(
    "/segments/<segment_id>/refresh/",
    summary="Recompute the members",
    description="Queues a refresh and answers at once; `refresh_status` goes queued → running → idle, and "
    "`contact_count` and `refreshed_at` change when it is done.",
    security=STAFF,
    tags=TAGS,
    status_code=202,
)
def refresh_segment(segment_id: SegmentId) -> Segment:
    return service.request_refresh(segment_id)


@router.get("/segments/<segment_id>/contacts/", summary="Page through the members", security=STAFF, tags=TAGS)
def segment_contacts(segment_id: SegmentId, limit: PageLimit = None, cursor: PageCursor = None) -> ContactPage:
    return service.members(segment_id, limit, cursor)
