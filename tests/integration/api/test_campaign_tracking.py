"""After the send: opens, clicks, one-click unsubscribe, bounces, conversions (in-process moto)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import boto3
import pytest

from marketing import clock
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.store import recipients
from marketing.catalog.topology import EVENT_BUS_ENV, OPENS, SES_EVENTS, SHOP_EVENTS, shop_event_entries
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import campaign_for, drain, links, outbox, parts, staff, subscriber
from tests.support.events import Context, call, http_event


@pytest.fixture
def sent(aws, api_handler):
    """A sent campaign to Ada and Grace; returns the API, the campaign and Ada's email."""
    people = [subscriber(api_handler, "ada@example.com", "Ada"), subscriber(api_handler, "grace@example.com", "Grace")]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    ada = next(message for message in outbox() if str(message["To"]) == "ada@example.com")
    return api_handler, campaign, ada, people


def _recipient(api, campaign_id: str, email: str) -> dict:
    items = staff(api, "GET", f"/campaigns/{campaign_id}/recipients/")[1]["items"]
    return next(item for item in items if item["email"] == email)


def test_the_pixel_records_one_unique_open_and_counts_every_one(sent, aws):
    api, campaign, ada, _ = sent
    pixel = links(parts(ada)[1], "open")[0]
    for _ in range(2):
        response = api(http_event("GET", pixel), Context())
        assert response["statusCode"] == 200
        assert response["headers"]["Content-Type"] == "image/gif"
    # The first open is queued for the opens worker; both hits before it is recorded count.
    assert _recipient(api, campaign["id"], "ada@example.com")["opened_at"] is None
    drain(aws, OPENS)
    recipient = _recipient(api, campaign["id"], "ada@example.com")
    assert recipient["open_count"] == 2
    assert recipient["opened_at"] is not None
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["opened"] == 1
    # A hit once the open is recorded is a repeat, written by the pixel itself.
    api(http_event("GET", pixel), Context())
    assert _recipient(api, campaign["id"], "ada@example.com")["open_count"] == 3
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["opened"] == 1
    # A forged pixel is still a pixel, and records nothing.
    status, _ = call(api, "GET", "/track/open/forged.token/")
    assert status == 200


def test_a_script_fetching_the_pixel_or_a_link_in_a_loop_makes_reads_not_writes(sent, aws, monkeypatch):
    """Repeats are counted exactly up to EXACT_COUNT, then at most once per window per recipient."""
    api, campaign, ada, _ = sent
    writes = []
    for name in ("record_once", "applied", "_record_firsts"):
        original = getattr(recipients, name)

        def counted(*a, _original=original, _name=name, **k):
            if _name != "_record_firsts" or a[2]:  # the first opens' write, when it has any
                writes.append(_name)
            return _original(*a, **k)

        monkeypatch.setattr(recipients, name, counted)
    pixel, click = links(parts(ada)[1], "open")[0], links(parts(ada)[1], "click")[0]
    for _ in range(30):
        api(http_event("GET", pixel), Context())
        assert api(http_event("GET", click), Context())["statusCode"] == 302
    drain(aws, OPENS)
    # A first click and its exact repeats; the first open, with every hit queued before it was recorded.
    assert len(writes) == recipients.EXACT_COUNT + 1
    recipient = _recipient(api, campaign["id"], "ada@example.com")
    assert (recipient["open_count"], recipient["click_count"]) == (recipients.EXACT_COUNT, recipients.EXACT_COUNT)
    later = clock.utcnow() + recipients.REPEAT_WINDOW
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    for _ in range(5):
        api(http_event("GET", pixel), Context())
    recipient = _recipient(api, campaign["id"], "ada@example.com")
    assert recipient["open_count"] == recipients.EXACT_COUNT + 1  # one more in the next window
    analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert (analytics["opened"], analytics["clicked"]) == (1, 1)


def test_hits_racing_past_the_exact_count_write_nothing(sent, monkeypatch):
    """Many hits at once all read the recipient before any of them wrote: the write itself refuses
    a repeat past the exact count within the window."""
    api, campaign, _, people = sent
    contact_id, mailing = people[0]["contact_id"], MailingRef.campaign(campaign["id"])
    read_before_anyone_wrote = recipients._engagement_of(mailing, contact_id)
    for _ in range(recipients.EXACT_COUNT):
        recipients.record_open(mailing, contact_id, clock.utcnow())
    monkeypatch.setattr(recipients, "_engagement_of", lambda *_: read_before_anyone_wrote)
    assert recipients.record_open(mailing, contact_id, clock.utcnow()) is recipients.Engagement.UNCOUNTED
    assert _recipient(api, campaign["id"], "ada@example.com")["open_count"] == recipients.EXACT_COUNT


def test_a_click_redirects_to_the_original_link_and_a_tampered_one_does_not(sent, aws):
    api, campaign, ada, _ = sent
    click = links(parts(ada)[1], "click")[0]
    response = api(http_event("GET", click), Context())
    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == "https://shop.example/sale?a=1&b=2"
    drain(aws, OPENS)
    analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert (analytics["clicked"], analytics["opened"]) == (1, 1)  # a click is an open too

    token = click.split("/track/click/")[1].rstrip("/")
    kid, payload, mac = token.split(".")
    forged_payload = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    # The MAC's first character: all six of its bits count (the last one's low bits are padding,
    # so changing it to a character that differs only there would still verify).
    forged_mac = ("A" if mac[0] != "A" else "B") + mac[1:]
    for forged in (f"{kid}.{forged_payload}.{mac}", f"{kid}.{payload}.{forged_mac}", "not-a-token"):
        status, body = call(api, "GET", f"/track/click/{forged}/")
        assert status == 400
        assert "shop.example/sale" not in str(body)


def test_one_click_unsubscribe_is_idempotent_and_the_next_campaign_skips_the_address(aws, sent):
    api, campaign, ada, people = sent
    url = str(ada["List-Unsubscribe"]).split("<")[1].split(">")[0]
    token = url.split("token=")[1]

    query = {"token": unquote(token)}
    status, page = call(api, "GET", "/unsubscribe/", query=query)
    assert status == 200
    assert "ada@example.com" in page
    for _ in range(2):
        event = http_event("POST", "/unsubscribe/", "List-Unsubscribe=One-Click", query=query)
        event["headers"]["content-type"] = "application/x-www-form-urlencoded"
        assert api(event, Context())["statusCode"] == 200
    ada_subscriber = staff(api, "GET", f"/subscribers/{people[0]['id']}/")[1]
    assert ada_subscriber["status"] == "unsubscribed"
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["unsubscribed"] == 1
    assert _recipient(api, campaign["id"], "ada@example.com")["status"] == "unsubscribed"

    second = campaign_for(api, [person["contact_id"] for person in people])
    staff(api, "POST", f"/campaigns/{second['id']}/send/")
    drain(aws)
    assert [str(message["To"]) for message in outbox()[2:]] == ["grace@example.com"]
    assert _recipient(api, second["id"], "ada@example.com")["suppressed_reason"] == "unsubscribed"


def test_a_hard_bounce_from_the_simulator_suppresses_the_address(aws, api_handler):
    api = api_handler
    bouncer = subscriber(api, "bounce@simulator.amazonses.com", "Bounce")
    campaign = campaign_for(api, [bouncer["contact_id"]])
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)
    assert staff(api, "GET", f"/subscribers/{bouncer['id']}/")[1]["status"] == "bounced"
    analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert (analytics["sent"], analytics["bounced"], analytics["delivered"], analytics["bounce_rate"]) == (1, 1, 0, 1.0)
    # The same events again change nothing.
    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["bounced"] == 1


def test_an_order_after_a_click_is_a_conversion_counted_once(aws, sent):
    api, campaign, ada, _ = sent
    click = links(parts(ada)[1], "click")[0]
    api(http_event("GET", click), Context())
    order = {
        "detail-type": "order.paid",
        "detail": {
            "order_id": "o-1",
            "email": "ada@example.com",
            "total": "42.50",
            "currency": "GBP",
            "paid_at": datetime.now(UTC).isoformat(),
        },
    }
    events = boto3.client("events")
    for _ in range(2):  # the same order twice
        events.put_events(Entries=shop_event_entries([order], aws[EVENT_BUS_ENV]))
    drain(aws, SHOP_EVENTS)
    recipient = _recipient(api, campaign["id"], "ada@example.com")
    assert (recipient["converted_order_id"], recipient["revenue"]) == ("o-1", "42.50")
    analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert (analytics["conversions"], analytics["revenue"]) == (1, "42.50")
    overview = staff(api, "GET", "/analytics/overview/")[1]
    assert overview["campaigns_sent"] == 1
    assert overview["totals"]["revenue"] == "42.50"
