"""POST /local/events takes JSON only: a web page can send a cross-origin `text/plain` POST without
asking (no CORS preflight), but not an `application/json` one. Asked to, it answers once a worker
handled its events, so the next command sees what the event did."""

from __future__ import annotations

import json
import threading
import time

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from marketing_local.events import EventPublisher
from marketing_local.pollers import HandledEvents

ORDER_PAID = {"detail-type": "order.paid", "detail": {"order_id": "o-1"}}


class StubEvents:
    def __init__(self) -> None:
        self.entries: list[dict] = []

    def put_events(self, Entries: list[dict]) -> dict:  # boto3's parameter name
        self.entries += Entries
        return {"Entries": [{"EventId": str(index)} for index, _ in enumerate(Entries)]}


def publish(content_type: str = "application/json", query: str = "", handled: HandledEvents | None = None):
    events = StubEvents()
    request = Request(
        EnvironBuilder(
            method="POST", path=f"/local/events{query}", data=json.dumps(ORDER_PAID), content_type=content_type
        ).get_environ()
    )
    return EventPublisher(events, "bus", handled or HandledEvents()).route(request), events


def post(content_type: str) -> tuple[int, StubEvents]:
    response, events = publish(content_type)
    return response.status_code, events


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


def test_asked_to_wait_it_answers_once_a_worker_handled_its_events():
    handled = HandledEvents()
    handled.add([json.dumps({"id": "other"})])  # another event: not the one this request waits for
    threading.Timer(0.2, handled.add, [[json.dumps({"id": "0", "detail-type": "order.paid"})]]).start()
    started = time.monotonic()
    response, _ = publish(query="?wait=5", handled=handled)
    assert response.get_json()["handled"] is True
    assert time.monotonic() - started < 5  # answered when the event was handled, not at the end of the wait


def test_a_wait_that_runs_out_says_the_event_is_not_handled_yet():
    handled = HandledEvents()
    handled.add([json.dumps({"id": "other"}), "not json"])
    response, _ = publish(query="?wait=0.3", handled=handled)
    assert response.get_json()["handled"] is False


def test_without_wait_it_answers_at_once():
    response, _ = publish()
    assert "handled" not in response.get_json()


def test_a_wait_that_is_not_a_number_of_seconds_is_a_400():
    response, events = publish(query="?wait=nan")
    assert response.status_code == 400
    assert events.entries == []
