"""First opens through the opens worker: the pixel queues them, and a batch's first opens of one
mailing are written together, each counted once however often SQS delivers it."""

from __future__ import annotations

import pytest

from marketing.campaigns.store import recipients
from marketing.catalog.topology import OPENS
from tests.support.campaigns import handler, links, outbox, parts, sent_to_subscribers, staff
from tests.support.events import Context, http_event
from tests.support.queues import failures, receive


@pytest.fixture
def pixels(aws, api_handler):
    """A campaign sent to four subscribers; the API and campaign, and each email's pixel by address."""
    campaign = sent_to_subscribers(aws, api_handler, 4)
    return api_handler, campaign, {str(email["To"]): links(parts(email)[1], "open")[0] for email in outbox()}


def _handle(aws, messages: list[dict]) -> set[str]:
    return failures(handler(OPENS), aws[OPENS.env_var], messages)


def _opened(api, campaign: dict) -> int:
    return staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["opened"]


def _open_counts(campaign: dict) -> dict[str, int]:
    return {item.email: int(item.open_count or 0) for item in recipients.RecipientRecord.query(campaign["id"])}


def test_a_batchs_first_opens_are_written_together_and_counted_once_however_often_delivered(aws, pixels, monkeypatch):
    api, campaign, pixel_of = pixels
    for address in ("p0@example.com", "p1@example.com", "p2@example.com", "p0@example.com"):
        assert api(http_event("GET", pixel_of[address]), Context())["statusCode"] == 200
    assert _opened(api, campaign) == 0  # queued: the pixel answered without writing
    messages = receive(aws[OPENS.env_var])
    assert len(messages) == 4
    written = []
    record_first_opens = recipients.record_first_opens
    monkeypatch.setattr(
        recipients, "record_first_opens", lambda *args: written.append(len(args[1])) or record_first_opens(*args)
    )
    assert _handle(aws, messages) == set()
    assert written == [3]  # one write for the three recipients' first opens
    assert _opened(api, campaign) == 3
    counts = _open_counts(campaign)
    assert (counts["p0@example.com"], counts["p1@example.com"], counts["p3@example.com"]) == (2, 1, 0)
    assert _handle(aws, messages) == set()  # SQS delivers the batch again: no second first open
    assert _handle(aws, messages[::-1]) == set()
    assert _opened(api, campaign) == 3
    timeline = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/timeline/")[1]
    assert sum(bucket["opened"] for bucket in timeline["buckets"]) == 3  # the chart's hours too


def test_a_clicks_open_and_the_pixels_are_one_first_open_and_later_copies_are_repeats(aws, pixels):
    api, campaign, pixel_of = pixels
    api(http_event("GET", pixel_of["p1@example.com"]), Context())
    email = next(email for email in outbox() if str(email["To"]) == "p1@example.com")
    assert api(http_event("GET", links(parts(email)[1], "click")[0]), Context())["statusCode"] == 302
    messages = receive(aws[OPENS.env_var])  # a click counts as an open: queued as the pixel's is
    assert len(messages) == 2
    assert _handle(aws, messages) == set()
    assert (_opened(api, campaign), _open_counts(campaign)["p1@example.com"]) == (1, 2)
    assert _handle(aws, messages[:1]) == set()  # a copy delivered after its open was recorded
    assert (_opened(api, campaign), _open_counts(campaign)["p1@example.com"]) == (1, 3)
    api(http_event("GET", pixel_of["p1@example.com"]), Context())  # a hit after it: written at once
    assert (_opened(api, campaign), _open_counts(campaign)["p1@example.com"]) == (1, 4)


def test_an_unknown_recipient_and_a_failed_write_lose_nothing_and_a_bad_message_is_dead_lettered(
    aws, pixels, monkeypatch
):
    api, campaign, pixel_of = pixels
    api(http_event("GET", pixel_of["p2@example.com"]), Context())
    [message] = receive(aws[OPENS.env_var])
    unknown = message["Body"].replace('"contact_id": "', '"contact_id": "x')
    stranger = {**message, "MessageId": "stranger", "Body": unknown}
    broken = {**message, "MessageId": "not-an-open", "Body": "{not json"}

    def unavailable(*_args):
        raise RuntimeError("DynamoDB unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(recipients, "_record_firsts", unavailable)
        assert _handle(aws, [message, stranger, broken]) == {message["MessageId"]}
    assert [dead["Body"] for dead in receive(aws[OPENS.dlq_env_var])] == ["{not json"]
    assert _handle(aws, [message, stranger]) == set()  # SQS delivers them again
    assert _opened(api, campaign) == 1
    assert len(list(recipients.RecipientRecord.query(campaign["id"]))) == 4  # the stranger made no recipient
