"""What the API handler leaves in X-Ray: timings and annotations, never what it returned (gift-card
codes, contact exports, pre-signed URLs) nor the exceptions it raised."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from marketing.observability import tracer
from tests.support.events import STAFF, Context, call, http_event


class RecordingSubsegment:
    def __init__(self) -> None:
        self.metadata: dict[str, object] = {}

    def put_metadata(self, key: str, value: object, namespace: str | None = None) -> None:
        self.metadata[key] = value

    def put_annotation(self, key: str, value: object) -> None:
        pass


class RecordingProvider:
    """Stands in for X-Ray: keeps the subsegments the tracer opens."""

    def __init__(self) -> None:
        self.subsegments: list[RecordingSubsegment] = []

    @contextmanager
    def in_subsegment(self, name: str | None = None, **_kwargs: object):
        subsegment = RecordingSubsegment()
        self.subsegments.append(subsegment)
        yield subsegment


@pytest.fixture
def xray(monkeypatch) -> RecordingProvider:
    provider = RecordingProvider()
    monkeypatch.setattr(tracer, "provider", provider)
    return provider


def test_the_handlers_response_is_not_put_in_the_trace(api_handler, xray):
    status, _ = call(api_handler, "GET", "/templates/", authorizer=STAFF)
    assert status == 200
    assert xray.subsegments
    assert [subsegment.metadata for subsegment in xray.subsegments] == [{}] * len(xray.subsegments)


def test_the_handlers_exception_is_not_put_in_the_trace(api_handler, xray, monkeypatch):
    def fail(_event: dict) -> None:
        raise RuntimeError("a message that could quote personal data")

    monkeypatch.setattr("api.limits.refused", fail)
    with pytest.raises(RuntimeError):
        api_handler(http_event("GET", "/templates/", authorizer=STAFF), Context())
    assert xray.subsegments
    assert [subsegment.metadata for subsegment in xray.subsegments] == [{}] * len(xray.subsegments)
