"""Campaign administration over the API: edits, checks before sending, schedules, test sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from marketing import clock
from marketing.campaigns import costs
from marketing.campaigns.services import reach
from marketing.campaigns.store import campaigns as campaign_store
from marketing.campaigns.store.campaigns import CampaignRecord
from marketing_local.one_time_schedules import OneTimeScheduleRunner
from tests.support.campaigns import TEMPLATE, campaign_for, drain, outbox, parts, staff, subscriber


@pytest.fixture
def draft(aws, api_handler):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    return api_handler, campaign_for(api_handler, [ada["contact_id"]])


def _schedules(aws) -> list[dict]:
    return boto3.client("scheduler").list_schedules(GroupName=aws["CAMPAIGN_SCHEDULE_GROUP"])["Schedules"]


def test_bad_references_are_400_naming_the_field(draft):
    api, campaign = draft
    status, body = staff(
        api,
        "POST",
        "/campaigns/",
        {**{k: campaign[k] for k in ("name", "segment_id", "from_name")}, "template_id": "tpl_nope"},
    )
    assert status == 400
    assert body["error"]["details"] == [{"field": "template_id", "reason": "no template with this id"}]
    status, body = staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"subject": "{{ broken"})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "subject"


def test_a_sender_off_the_senders_domain_or_with_a_line_break_is_refused_at_save(draft):
    api, campaign = draft
    status, body = staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"from_email": "news@unverified.example"})
    assert status == 400
    assert body["error"]["details"] == [
        {"field": "from_email", "reason": "must be an address on the sender's domain, shop.example"}
    ]
    assert staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"from_email": "offers@Shop.example"})[0] == 200
    for name in ("Shop\r\nBcc: everyone@example.com", "Shop\n", "Shop\x00"):
        status, body = staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"from_name": name})
        assert (status, body["error"]["details"][0]["field"]) == (400, "from_name"), name
    status, body = staff(api, "POST", "/campaigns/", {**_references(campaign), "from_name": "A\rB"})
    assert (status, body["error"]["details"][0]["field"]) == (400, "from_name")


def test_a_campaign_saved_with_a_foreign_sender_before_the_rule_is_refused_at_send(aws, draft):
    """SES's permission holds senders to the domain: an older campaign's foreign sender would make
    every send fail, so the send is refused at once (422 naming from_email), not a 500."""
    api, campaign = draft
    campaign_store.update(campaign["id"], {"from_email": "news@elsewhere.example"}, datetime.now(UTC))
    status, body = staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    assert (status, body["error"]["details"][0]["field"]) == (422, "from_email"), body
    assert "sender's domain" in body["error"]["details"][0]["reason"]  # refused before asking SES


def test_an_empty_segment_is_refused_before_anything_is_queued(aws, draft):
    api, campaign = draft
    empty = staff(api, "POST", "/segments/", {"name": "Nobody", "type": "static"})[1]
    staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"from_email": None, "segment_id": empty["id"]})
    status, body = staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    assert status == 422
    assert body["error"]["details"][0]["field"] == "segment_id"
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["status"] == "draft"


def test_a_sent_campaigns_email_shows_the_shops_address_and_why_and_names_its_list(aws, draft):
    api, campaign = draft
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    [message] = outbox()
    text, html = parts(message)
    address = "Shop Ltd, 1 Test Street, Testville TE1 1ST"  # SHOP_POSTAL_ADDRESS of tests/conftest.py
    today = clock.utcnow()  # Ada subscribed today, on the website (tests/support/campaigns.py)
    why = f"You get this because you subscribed on {today.day} {today:%B %Y} via our website."
    assert f"our shop, {address}\n{why}\n" in text.replace("\r\n", "\n")  # the shop's name: SHOP_NAME, unset here
    assert f"our shop, {address}<br>{why}<br>" in html
    assert message["List-Id"] == f'"our shop" <{campaign["id"]}.shop.example>'
    assert message["Feedback-ID"] == f"{campaign['id']}:promotional:our-shop:marketing-platform"


def test_without_the_shops_postal_address_a_campaign_is_not_sent_scheduled_or_tested(aws, draft, no_postal_address):
    api, campaign = draft
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    requests = (
        ("send/", None),
        ("schedule/", {"scheduled_at": later}),
        ("test-send/", {"emails": ["me@shop.example"]}),
    )
    for path, body in requests:
        status, refused = staff(api, "POST", f"/campaigns/{campaign['id']}/{path}", body)
        assert status == 422, (path, refused)
        assert refused["error"]["message"].startswith("cannot send: postal_address: the shop's postal address is not")
        assert refused["error"]["details"][0]["field"] == "postal_address"
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["status"] == "draft"
    assert outbox() == []


def test_a_sent_campaign_cannot_be_edited_or_deleted(aws, draft):
    api, campaign = draft
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    status, body = staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"name": "Renamed"})
    assert (status, body["error"]["code"]) == (409, "conflict")
    assert staff(api, "DELETE", f"/campaigns/{campaign['id']}/")[0] == 409


def test_a_campaign_cancelled_after_it_sent_keeps_its_report(aws, draft):
    api, campaign = draft
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    # As if cancelled midway: the status moves, what was sent stays counted.
    CampaignRecord(campaign["id"]).update(actions=[CampaignRecord.status.set("cancelled")], add_version_condition=False)
    status, body = staff(api, "DELETE", f"/campaigns/{campaign['id']}/")
    assert (status, body["error"]["details"][0]["reason"]) == (409, "cancelled after sending")
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[0] == 200


def test_schedule_replaces_and_cancel_deletes_the_one_time_schedule(aws, draft):
    api, campaign = draft
    soon = datetime.now(UTC) + timedelta(hours=1)
    status, body = staff(api, "POST", f"/campaigns/{campaign['id']}/schedule/", {"scheduled_at": soon.isoformat()})
    assert (status, body["status"]) == (200, "scheduled")
    later = soon + timedelta(days=1)
    staff(api, "POST", f"/campaigns/{campaign['id']}/schedule/", {"scheduled_at": later.isoformat()})
    schedules = _schedules(aws)
    assert [schedule["Name"] for schedule in schedules] == [f"campaign-{campaign['id']}"]
    detail = boto3.client("scheduler").get_schedule(Name=schedules[0]["Name"], GroupName=aws["CAMPAIGN_SCHEDULE_GROUP"])
    assert detail["ScheduleExpression"] == f"at({later.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/cancel/")[1]["status"] == "cancelled"
    assert _schedules(aws) == []
    status, body = staff(
        api, "POST", f"/campaigns/{campaign['id']}/schedule/", {"scheduled_at": "2020-01-01T00:00:00Z"}
    )
    assert (status, body["error"]["details"][0]["field"]) == (400, "scheduled_at")


def test_a_fired_schedule_sends_the_campaign(aws, draft):
    api, campaign = draft
    moment = datetime.now(UTC) + timedelta(minutes=5)
    staff(api, "POST", f"/campaigns/{campaign['id']}/schedule/", {"scheduled_at": moment.isoformat()})
    runner = OneTimeScheduleRunner(boto3.client("scheduler"), boto3.client("sqs"), aws["CAMPAIGN_SCHEDULE_GROUP"])
    assert runner.fire_due() == []
    assert runner.fire_due(moment + timedelta(seconds=1)) == [f"campaign-{campaign['id']}"]
    drain(aws)
    assert [str(message["To"]) for message in outbox()] == ["ada@example.com"]
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["status"] == "sent"


def test_a_test_send_renders_for_the_contact_and_counts_nothing(aws, draft):
    api, campaign = draft
    status, body = staff(
        api, "POST", f"/campaigns/{campaign['id']}/test-send/", {"emails": ["ada@example.com", "boss@example.com"]}
    )
    assert status == 200, body
    assert [item["email"] for item in body["sent"]] == ["ada@example.com", "boss@example.com"]
    ada, boss = outbox()
    assert ada["Subject"] == "[Test] Hello Ada, the sale is on"
    assert "Hi Lovelace" not in parts(boss)[0]
    assert boss["Subject"] == "[Test] Hello Ada, the sale is on"  # the sample contact is Ada Lovelace
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["progress"]["total"] == 0


def test_a_test_send_honours_opt_outs_and_sends_nothing_when_one_address_is_refused(aws, draft):
    api, campaign = draft
    subscriber(api, "gone@example.com", "Gone", subscribed=False)
    status, body = staff(
        api, "POST", f"/campaigns/{campaign['id']}/test-send/", {"emails": ["boss@example.com", "gone@example.com"]}
    )
    assert status == 422, body
    assert body["error"]["details"][0]["field"] == "emails"
    assert "gone@example.com" in body["error"]["details"][0]["reason"]
    assert outbox() == []


def test_a_campaign_is_marketing_and_refuses_a_transactional_template(aws, draft):
    api, campaign = draft
    receipt = {**TEMPLATE, "name": "Receipt", "category": "transactional"}
    receipt_id = staff(api, "POST", "/templates/", receipt)[1]["id"]
    for status, body in (
        staff(api, "POST", "/campaigns/", {**_references(campaign), "template_id": receipt_id}),
        staff(api, "PATCH", f"/campaigns/{campaign['id']}/", {"template_id": receipt_id}),
    ):
        assert status == 422, body
        assert body["error"]["details"][0]["field"] == "template_id"
    staff(api, "PATCH", f"/templates/{campaign['template_id']}/", {"category": "transactional"})  # relabelled
    status, body = staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    assert (status, body["error"]["details"][0]["field"]) == (422, "template_id")


def _references(campaign: dict) -> dict:
    return {field: campaign[field] for field in ("name", "template_id", "segment_id", "from_name")}


def test_a_contacts_export_lists_its_campaign_emails_and_erasure_removes_them(aws, draft):
    api, campaign = draft
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    contact_id = staff(api, "GET", f"/campaigns/{campaign['id']}/recipients/")[1]["items"][0]["contact_id"]

    status, export = staff(api, "GET", f"/contacts/{contact_id}/export/")
    assert status == 200
    assert [(item["campaign_id"], item["email"], item["status"]) for item in export["campaign_emails"]] == [
        (campaign["id"], "ada@example.com", "sent")
    ]

    assert staff(api, "DELETE", f"/contacts/{contact_id}/")[0] == 204
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/recipients/")[1]["items"] == []
    # The campaign's figures stay: they name no one.
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["progress"]["sent"] == 1


def test_the_detail_estimates_the_cost_before_the_send_and_counts_it_after(aws, api_handler):
    people = [subscriber(api_handler, f"c{number}@example.com", "C") for number in range(3)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    before = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]["cost"]
    assert (before["recipients"], before["excluded"], before["members_read"]) == (3, {}, 3)
    assert before["per_recipient_usd"] == f"{costs.PER_RECIPIENT:.7f}"
    assert before["estimated_usd"] == f"{costs.usd(3 * costs.PER_RECIPIENT):.4f}"
    assert before["actual"] is None
    staff(api_handler, "DELETE", f"/subscribers/{people[0]['id']}/")  # unsubscribed: suppressed, not sent
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    after = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]["cost"]
    assert after["actual"]["emails_sent"] == 2
    assert after["actual"]["ses_usd"] == "0.0002"
    assert (
        after["actual"]["total_usd"] == f"{costs.usd(2 * costs.SES_PER_EMAIL + 3 * costs.PLATFORM_PER_RECIPIENT):.4f}"
    )
    assert staff(api_handler, "GET", "/campaigns/")[1]["items"][0]["cost"] is None  # the detail's alone


def test_the_estimate_counts_only_the_members_the_send_would_reach(aws, api_handler):
    reached = [subscriber(api_handler, f"in{number}@example.com", "In") for number in range(2)]
    left = subscriber(api_handler, "left@example.com", "Left", subscribed=False)
    bounced = subscriber(api_handler, "bounced@example.com", "Bo")
    assert staff(api_handler, "PATCH", f"/subscribers/{bounced['id']}/", {"status": "bounced"})[0] == 200
    no_offers = subscriber(api_handler, "no-offers@example.com", "No")  # the template is promotional
    assert staff(api_handler, "PATCH", f"/subscribers/{no_offers['id']}/preferences/", {"promotional": False})[0] == 200
    erased = staff(api_handler, "POST", "/contacts/", {"email": "erased@example.com"})[1]
    assert staff(api_handler, "DELETE", f"/contacts/{erased['id']}/")[0] == 204
    moved = subscriber(api_handler, "moved@example.com", "Mo")  # then moved onto the erased address
    assert staff(api_handler, "PATCH", f"/contacts/{moved['contact_id']}/", {"email": "erased@example.com"})[0] == 200
    members = [*reached, left, bounced, no_offers, moved]
    campaign = campaign_for(api_handler, [member["contact_id"] for member in members])

    cost = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]["cost"]
    assert (cost["recipients"], cost["members_read"]) == (2, 6)
    assert cost["excluded"] == {"unsubscribed": 1, "bounced": 1, "opted_out": 1, "do_not_email": 1}
    assert cost["estimated_usd"] == f"{costs.usd(2 * costs.PER_RECIPIENT):.4f}"
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    progress = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]["progress"]
    assert (progress["sent"], progress["suppressed"]) == (2, 4)  # the send agrees with its estimate


def test_a_large_segment_is_estimated_from_its_first_members_a_random_sample(aws, api_handler, monkeypatch):
    monkeypatch.setattr(reach, "SAMPLE", 4)
    people = [subscriber(api_handler, f"m{number}@example.com", "M", subscribed=number % 2 == 0) for number in range(8)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    first = sorted(people, key=lambda person: person["contact_id"])[:4]  # members come in contact id order
    subscribed = sum(1 for person in first if person["status"] == "subscribed")
    cost = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]["cost"]
    assert (cost["members_read"], cost["recipients"]) == (4, 2 * subscribed)  # in proportion: 8 members
    assert cost["excluded"] == ({"unsubscribed": 2 * (4 - subscribed)} if subscribed < 4 else {})
