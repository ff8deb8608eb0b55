"""The charts' counters, kept as events happen: a campaign's activity by the hour, its clicks per
link, and the audience by day (in-process moto, through the API)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest

from marketing import clock
from marketing.activity.store import activity as activity_store
from marketing.catalog.topology import OPENS
from tests.support.campaigns import campaign_for, drain, links, outbox, parts, staff, subscriber
from tests.support.events import Context, http_event


@pytest.fixture
def sent(aws, api_handler):
    people = [subscriber(api_handler, "ada@example.com", "Ada"), subscriber(api_handler, "grace@example.com", "Grace")]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    emails = {str(message["To"]): message for message in outbox()}
    return api_handler, campaign, emails


def test_opens_and_clicks_land_in_the_campaigns_hour_once_however_often_they_come(sent, aws):
    api, campaign, emails = sent
    ada_pixel = links(parts(emails["ada@example.com"])[1], "open")[0]
    grace_click = links(parts(emails["grace@example.com"])[1], "click")[0]
    for _ in range(3):
        api(http_event("GET", ada_pixel), Context())
    for _ in range(2):
        assert api(http_event("GET", grace_click), Context())["statusCode"] == 302
    drain(aws, OPENS)  # the first opens, recorded by the opens worker

    status, timeline = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/timeline/")
    assert status == 200
    assert timeline["granularity"] == "hour"
    (now,) = [bucket for bucket in timeline["buckets"] if bucket["sent"]]
    # Unique per recipient, as the campaign's own counters: Grace's click is her open too.
    assert (now["sent"], now["opened"], now["clicked"]) == (2, 2, 1)
    assert now["start"].startswith(clock.utcnow().strftime("%Y-%m-%dT%H"))
    analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert sum(bucket["opened"] for bucket in timeline["buckets"]) == analytics["opened"]

    links_clicked = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/links/")[1]["links"]
    assert links_clicked == [{"url": "https://shop.example/sale?a=1&b=2", "clicks": 2}]


def test_the_audience_day_counts_subscriptions_and_engagement(sent, aws):
    api, _, emails = sent
    api(http_event("GET", links(parts(emails["ada@example.com"])[1], "open")[0]), Context())
    drain(aws, OPENS)
    status, activity = staff(api, "GET", "/analytics/audience/", query={"days": "7"})
    assert status == 200
    days = activity["days"]
    assert len(days) == 7
    assert days[-1]["date"] == clock.utcnow().date().isoformat()
    assert (days[-1]["subscribed"], days[-1]["sent"], days[-1]["opened"]) == (2, 2, 1)
    assert all(day["sent"] == 0 for day in days[:-1])


def test_an_unsubscribe_counts_on_the_audience_day_and_on_the_campaign(sent):
    api, campaign, emails = sent
    header = str(emails["ada@example.com"]["List-Unsubscribe"])
    query = {"token": unquote(header.split("<")[1].split(">")[0].split("token=")[1])}
    for _ in range(2):  # one-click, twice: the second changes nothing
        event = http_event("POST", "/unsubscribe/", "List-Unsubscribe=One-Click", query=query)
        event["headers"]["content-type"] = "application/x-www-form-urlencoded"
        assert api(event, Context())["statusCode"] == 200
    today = staff(api, "GET", "/analytics/audience/", query={"days": "1"})[1]["days"][-1]
    assert today["unsubscribed"] == 1
    buckets = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/timeline/")[1]["buckets"]
    assert sum(bucket["unsubscribed"] for bucket in buckets) == 1


def test_after_three_days_the_timeline_is_by_day(sent, monkeypatch):
    api, campaign, _ = sent
    later = clock.utcnow() + timedelta(days=4)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    timeline = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/timeline/")[1]
    assert timeline["granularity"] == "day"
    assert len(timeline["buckets"]) == 5
    assert [bucket["sent"] for bucket in timeline["buckets"]] == [2, 0, 0, 0, 0]


def test_days_out_of_range_are_a_400_at_the_field(sent):
    api, _, _ = sent
    status, body = staff(api, "GET", "/analytics/audience/", query={"days": "0"})
    assert status == 400
    assert "days" in str(body)


def test_a_click_per_link_that_cannot_be_counted_still_redirects_the_reader(sent, monkeypatch):
    api, campaign, emails = sent

    def throttled(*_args, **_kwargs):
        raise RuntimeError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(activity_store, "add_link_click", throttled)
    click = links(parts(emails["grace@example.com"])[1], "click")[0]
    response = api(http_event("GET", click), Context())
    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == "https://shop.example/sale?a=1&b=2"
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["clicked"] == 1
