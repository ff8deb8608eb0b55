"""POST /local/events takes JSON only: a web page can send a cross-origin `text/plain` POST without
asking (no CORS preflight), but not an `application/json` one."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from marketing_local.events import EventPublisher

ORDER_PAID = {"detail-type": "order.paid", "detail": {"order_id": "o-1"}}


class StubEvents:
    def __init__(self) -> None:
        self.entries: list[dict] = []

    def put_events(self, Entries: list[dict]) -> dict:  # boto3's parameter name
        self.entries += Entries
        return {"Entries": [{"EventId": str(index)} for index, _ in enumerate(Entries)]}


def post(content_type: str) -> tuple[int, StubEvents]:
    events = StubEvents()
    request = Request(
        EnvironBuilder(method="POST", data=json.dumps(ORDER_PAID), content_type=content_type).get_environ()
    )
    return EventPublisher(events, "bus").route(request).status_code, events


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
def test_json_events_are_published(content_type):
    status, events = post(content_type)
    assert status == 200
    assert len(events.entries) == 1


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", ""]
)
def test_anything_but_json_is_refused_with_415_and_publishes_nothing(content_type):
    status, events = post(content_type)
    assert status == 415
    assert events.entries == []
