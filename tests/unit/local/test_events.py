"""POST /local/events takes JSON only: a web page can send a cross-origin `text/plain` POST without
asking (no CORS preflight), but not an `application/json` one. Asked to, it answers once the shop
events' queue is empty, so the next command sees what the event did."""

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


class StubQueue:
    """A queue the worker empties after `polls_until_handled` looks at it."""

    def __init__(self, polls_until_handled: int) -> None:
        self.polls_left = polls_until_handled

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict:  # boto3's parameter names
        self.polls_left -= 1
        in_flight = "1" if self.polls_left >= 0 else "0"
        return {"Attributes": dict.fromkeys(AttributeNames, "0") | {"ApproximateNumberOfMessagesNotVisible": in_flight}}


def publish(content_type: str = "application/json", query: str = "", queue: StubQueue | None = None):
    events = StubEvents()
    request = Request(
        EnvironBuilder(
            method="POST", path=f"/local/events{query}", data=json.dumps(ORDER_PAID), content_type=content_type
        ).get_environ()
    )
    return EventPublisher(events, "bus", queue or StubQueue(0), ["shop-events"]).route(request), events


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


def test_asked_to_wait_it_answers_once_the_worker_emptied_the_queue():
    queue = StubQueue(polls_until_handled=3)
    response, _ = publish(query="?wait=5", queue=queue)
    assert response.get_json()["handled"] is True
    assert queue.polls_left < 0


def test_a_wait_that_runs_out_says_the_event_is_not_handled_yet():
    response, _ = publish(query="?wait=0.3", queue=StubQueue(polls_until_handled=1000))
    assert response.get_json()["handled"] is False


def test_without_wait_it_answers_at_once():
    queue = StubQueue(polls_until_handled=1000)
    response, _ = publish(queue=queue)
    assert "handled" not in response.get_json()
    assert queue.polls_left == 1000
