"""Tracking consent (TRACKING_CONSENT_REQUIRED): without a subscriber's consent, opens and clicks
count only in the mailing's anonymous totals; with it, or with the setting off, as before."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from marketing.audience.store import contacts as contact_store
from marketing.catalog.topology import OPENS
from tests.support.campaigns import campaign_for, drain, links, outbox, parts, staff, subscriber
from tests.support.events import Context, call, customer, http_event


@pytest.fixture
def consent_required(monkeypatch):
    monkeypatch.setenv("TRACKING_CONSENT_REQUIRED", "true")


def _send(aws, api, people: list[dict]) -> tuple[dict, dict[str, str]]:
    campaign = campaign_for(api, [person["contact_id"] for person in people])
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    return campaign, {str(message["To"]): parts(message)[1] for message in outbox()}


def _recipient(api, campaign_id: str, email: str) -> dict:
    items = staff(api, "GET", f"/campaigns/{campaign_id}/recipients/")[1]["items"]
    return next(item for item in items if item["email"] == email)


def _analytics(api, campaign_id: str) -> dict:
    return staff(api, "GET", f"/campaigns/{campaign_id}/analytics/")[1]


def _give_consent(api, person: dict, consent: bool) -> dict:
    path = f"/subscribers/{person['id']}/preferences/"
    assert staff(api, "PATCH", path, {"tracking_consent": consent})[0] == 200
    return staff(api, "GET", f"/subscribers/{person['id']}/")[1]


def test_without_consent_an_open_raises_the_total_and_records_nobody(aws, api_handler, consent_required):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    campaign, emails = _send(aws, api_handler, [ada])
    pixel, click = links(emails["ada@example.com"], "open")[0], links(emails["ada@example.com"], "click")[0]
    for _ in range(2):
        response = api_handler(http_event("GET", pixel), Context())
        assert (response["statusCode"], response["headers"]["Content-Type"]) == (200, "image/gif")
    response = api_handler(http_event("GET", click), Context())
    assert response["statusCode"] == 302
    assert response["headers"]["Location"].startswith("http")
    drain(aws, OPENS)  # what the pixel queued, recorded
    analytics = _analytics(api_handler, campaign["id"])
    assert (analytics["anonymous_opens"], analytics["anonymous_clicks"]) == (2, 1)  # every hit, not unique
    assert (analytics["opened"], analytics["clicked"]) == (0, 0)
    recipient = _recipient(api_handler, campaign["id"], "ada@example.com")
    assert (recipient["opened_at"], recipient["clicked_at"]) == (None, None)
    assert (recipient["open_count"], recipient["click_count"]) == (0, 0)
    assert (
        contact_store.ContactRecord.get(ada["contact_id"]).last_click_campaign_id is None
    )  # nothing to attribute an order to


def test_with_consent_opens_and_clicks_are_tracked_as_before(aws, api_handler, consent_required):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    assert _give_consent(api_handler, ada, True)["tracking_consent"] is True
    campaign, emails = _send(aws, api_handler, [ada])
    api_handler(http_event("GET", links(emails["ada@example.com"], "open")[0]), Context())
    assert api_handler(http_event("GET", links(emails["ada@example.com"], "click")[0]), Context())["statusCode"] == 302
    drain(aws, OPENS)  # what the pixel queued, recorded
    analytics = _analytics(api_handler, campaign["id"])
    assert (analytics["opened"], analytics["clicked"], analytics["anonymous_opens"]) == (1, 1, 0)
    recipient = _recipient(api_handler, campaign["id"], "ada@example.com")
    assert recipient["opened_at"] is not None
    assert recipient["click_count"] == 1
    assert contact_store.ContactRecord.get(ada["contact_id"]).last_click_campaign_id == campaign["id"]


def test_withdrawn_consent_stops_per_person_tracking(aws, api_handler, consent_required):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    _give_consent(api_handler, ada, True)
    withdrawn = _give_consent(api_handler, ada, False)
    assert withdrawn["tracking_consent"] is False
    assert withdrawn["tracking_consent_at"] is not None
    campaign, emails = _send(aws, api_handler, [ada])
    api_handler(http_event("GET", links(emails["ada@example.com"], "open")[0]), Context())
    drain(aws, OPENS)  # what the pixel queued, recorded
    analytics = _analytics(api_handler, campaign["id"])
    assert (analytics["opened"], analytics["anonymous_opens"]) == (0, 1)


def test_with_the_setting_off_nobody_needs_consent(aws, api_handler):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    campaign, emails = _send(aws, api_handler, [ada])
    api_handler(http_event("GET", links(emails["ada@example.com"], "open")[0]), Context())
    drain(aws, OPENS)  # what the pixel queued, recorded
    analytics = _analytics(api_handler, campaign["id"])
    assert (analytics["opened"], analytics["anonymous_opens"]) == (1, 0)
    assert _recipient(api_handler, campaign["id"], "ada@example.com")["opened_at"] is not None


def _preference_token(html: str) -> str:
    url = re.search(r'href="([^"]*/preferences/\?token=[^"]+)"', html)
    assert url, "no preference centre link in the email"
    return parse_qs(urlparse(unescape(url.group(1))).query)["token"][0]


def _form(api, token: str, body: str) -> dict:
    event = http_event("POST", "/preferences/", body, query={"token": token})
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"
    response = api(event, Context())
    assert response["statusCode"] == 200
    return response


def test_the_preference_centre_gives_and_withdraws_consent(aws, api_handler, consent_required):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    _, emails = _send(aws, api_handler, [ada])
    token = _preference_token(emails["ada@example.com"])
    page = api_handler(http_event("GET", "/preferences/", query={"token": token}), Context())["body"]
    assert 'name="tracking"' in page
    assert 'name="tracking" value="on" checked' not in page
    page = _form(api_handler, token, "promotional=on&newsletter=on&tracking_asked=1&tracking=on")["body"]
    assert 'name="tracking" value="on" checked' in page
    assert staff(api_handler, "GET", f"/subscribers/{ada['id']}/")[1]["tracking_consent"] is True
    _form(api_handler, token, "promotional=on&tracking_asked=1")  # the box unticked
    after = staff(api_handler, "GET", f"/subscribers/{ada['id']}/")[1]
    assert after["tracking_consent"] is False
    assert after["preferences"]["newsletter"] is False
    _form(api_handler, token, "promotional=on&newsletter=on")  # a form without the box keeps the choice
    assert staff(api_handler, "GET", f"/subscribers/{ada['id']}/")[1]["tracking_consent"] is False


def test_the_preference_centre_does_not_ask_when_consent_is_not_required(aws, api_handler):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    _, emails = _send(aws, api_handler, [ada])
    token = _preference_token(emails["ada@example.com"])
    page = api_handler(http_event("GET", "/preferences/", query={"token": token}), Context())["body"]
    assert 'name="tracking"' not in page


def test_a_customer_subscribing_can_give_consent_and_the_preferences_stay_as_they_were(api_handler):
    alice = customer("user-alice", "alice@example.com")
    status, body = call(
        api_handler, "POST", "/subscribers/", {"preferences": {"tracking_consent": True}}, authorizer=alice
    )
    assert status in (200, 201)
    assert body["tracking_consent"] is True
    assert body["tracking_consent_at"] is not None
    assert body["preferences"] == {"transactional": True, "promotional": True, "newsletter": True}
    status, prefs = call(
        api_handler, "PATCH", "/subscribers/me/preferences/", {"tracking_consent": False}, authorizer=alice
    )
    assert status == 200
    assert prefs == {"transactional": True, "promotional": True, "newsletter": True}
