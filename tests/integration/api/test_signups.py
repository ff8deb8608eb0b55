"""Public signup with double opt-in and the consent log (issue 19, items 1-3): through the API
handler (and the shop-events worker for registrations), on moto."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from urllib.parse import unquote, urlencode

import boto3
import pytest

from marketing import clock
from marketing.catalog.topology import EVENT_BUS_ENV, SHOP_EVENTS, shop_event_entries
from tests.integration.api.test_do_not_email import erase
from tests.support.campaigns import outbox, staff
from tests.support.events import Context, call, customer, http_event
from tests.support.queues import deliver, receive

FORM = {"form_id": "footer", "page": "https://shop.example/blog", "wording_version": "2026-11"}
SAME_ANSWER = {
    "status": "pending_confirmation",
    "message": "Thanks! If this address can receive our emails, a confirmation link is on its way: "
    "the subscription starts when it is clicked.",
}


def sign_up(api, email: str, **fields) -> tuple[int, object]:
    return call(api, "POST", "/signup/", {"email": email, **FORM, **fields})


def mail_to(address: str) -> list:
    return [message for message in outbox() if message["To"] == address]


def confirmation_token(message) -> str:
    text = message.get_body(("plain",)).get_content()
    (token,) = re.findall(r"/signup/confirm/\?token=(\S+)", text)
    return unquote(token)


def contact_of(api, address: str) -> dict | None:
    items = staff(api, "GET", "/contacts/", query={"email": address})[1]["items"]
    return items[0] if items else None


def consents(api, contact_id: str) -> list[dict]:
    status, page = staff(api, "GET", f"/contacts/{contact_id}/consents/")
    assert status == 200, page
    return list(reversed(page["items"]))  # oldest first


def confirm(api, token: str) -> tuple[int, str]:
    return call(api, "POST", "/signup/confirm/", query={"token": token})


def test_a_signup_is_confirmed_by_the_person_not_by_a_scanner_and_logged(aws, api_handler):
    assert sign_up(api_handler, "ada@example.com", first_name="Ada") == (202, SAME_ANSWER)
    (email,) = mail_to("ada@example.com")
    assert email["From"] == "our shop <news@shop.example>"  # the transactional sender: the default here
    assert email["Reply-To"] == "news@shop.example"
    assert "List-Unsubscribe" not in email
    assert "/track/" not in email.as_string()
    html = email.get_body(("html",)).get_content()
    assert "<img" not in html
    assert "Yes, subscribe me" in html
    assert contact_of(api_handler, "ada@example.com") is None  # nothing until she confirms

    token = confirmation_token(email)
    status, page = call(api_handler, "GET", "/signup/confirm/", query={"token": token})  # what a scanner does
    assert status == 200
    assert "<form" in page
    assert ".submit()" in page
    assert contact_of(api_handler, "ada@example.com") is None

    status, page = confirm(api_handler, token)  # the page's script, or her click on its button
    assert (status, "You are subscribed" in page) == (200, True)
    contact = contact_of(api_handler, "ada@example.com")
    assert (contact["first_name"], contact["subscription_status"]) == ("Ada", "subscribed")
    signup, confirmed = consents(api_handler, contact["id"])
    assert signup["event"] == "signup"
    assert signup["method"] == "signup_form"
    assert (signup["ip_address"], signup["user_agent"], signup["wording_version"]) == ("127.0.0.1", "pytest", "2026-11")
    assert signup["source"] == "form footer https://shop.example/blog"
    assert signup["status"] is None
    assert confirmed["event"] == "confirmed"
    assert confirmed["method"] == "confirmation_link"
    assert (confirmed["ip_address"], confirmed["status"]) == ("127.0.0.1", "subscribed")
    assert confirmed["at"] >= signup["at"]

    assert confirm(api_handler, token)[0] == 200  # a second click: still subscribed, logged once
    assert len(consents(api_handler, contact["id"])) == 2
    assert sign_up(api_handler, "ada@example.com") == (202, SAME_ANSWER)  # known address, same answer


def test_a_bot_a_bad_link_and_an_expired_link_subscribe_nobody(aws, api_handler):
    assert sign_up(api_handler, "bot@example.com", website="http://spam.example") == (202, SAME_ANSWER)
    assert mail_to("bot@example.com") == []
    assert call(api_handler, "GET", "/signup/confirm/", query={"token": "forged"})[0] == 400
    assert confirm(api_handler, "forged")[0] == 400

    sign_up(api_handler, "late@example.com")
    token = confirmation_token(mail_to("late@example.com")[0])
    table = boto3.resource("dynamodb").Table(aws["SIGNUPS_TABLE"])
    (item,) = table.scan()["Items"]
    eight_days_ago = (clock.utcnow() - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    table.update_item(
        Key={"id": item["id"]},
        UpdateExpression="SET requested_at = :t",
        ExpressionAttributeValues={":t": eight_days_ago},
    )
    assert call(api_handler, "GET", "/signup/confirm/", query={"token": token})[0] == 404
    assert confirm(api_handler, token)[0] == 404
    assert contact_of(api_handler, "late@example.com") is None


def test_signups_are_throttled_per_caller_and_per_address(aws, api_handler):
    for _ in range(3):
        assert sign_up(api_handler, "flood@example.com") == (202, SAME_ANSWER)
    assert sign_up(api_handler, "flood@example.com") == (202, SAME_ANSWER)  # over its limit: same answer
    assert len(mail_to("flood@example.com")) == 3
    for number in range(6):
        assert sign_up(api_handler, f"other{number}@example.com")[0] == 202
    status, body = sign_up(api_handler, "one-too-many@example.com")  # the 11th from this caller this hour
    assert status == 429, body
    assert mail_to("one-too-many@example.com") == []


def test_an_ip_address_in_the_body_resets_no_limit_and_is_not_logged_unless_a_shop_server_sent_it(
    aws, api_handler, monkeypatch
):
    for number in range(10):  # each claiming another visitor's IP address, all from one caller
        assert sign_up(api_handler, f"made-up{number}@example.com", ip_address=f"10.0.0.{number}")[0] == 202
    assert sign_up(api_handler, "one-more@example.com", ip_address="10.0.0.99")[0] == 429
    token = confirmation_token(mail_to("made-up0@example.com")[0])
    assert confirm(api_handler, token)[0] == 200
    signup = consents(api_handler, contact_of(api_handler, "made-up0@example.com")["id"])[0]
    assert (signup["ip_address"], signup["user_agent"]) == ("127.0.0.1", "pytest")  # the request's, not the body's

    # The shop's server (CDK context signupTrustedServers) posts for its visitors: their addresses count.
    monkeypatch.setenv("SIGNUP_TRUSTED_SERVERS", "192.0.2.1, 127.0.0.0/8")
    for number in range(12):
        fields = {"ip_address": f"198.51.100.{number}", "user_agent": "Visitor browser"}
        assert sign_up(api_handler, f"visitor{number}@example.com", **fields)[0] == 202
    token = confirmation_token(mail_to("visitor0@example.com")[0])
    assert confirm(api_handler, token)[0] == 200
    signup = consents(api_handler, contact_of(api_handler, "visitor0@example.com")["id"])[0]
    assert (signup["ip_address"], signup["user_agent"]) == ("198.51.100.0", "Visitor browser")


def test_tagged_addresses_share_their_inbox_s_confirmation_emails(aws, api_handler):
    for tag in range(5):
        assert sign_up(api_handler, f"target+{tag}@example.com") == (202, SAME_ANSWER)
    assert len([m for m in outbox() if str(m["To"]).startswith("target")]) == 3


def test_the_confirmation_says_what_the_form_asked_for_and_repeats_no_name_from_it(aws, api_handler):
    preferences = {"newsletter": True, "promotional": False, "tracking_consent": True}
    fields = {"first_name": "Pay at https://evil.example to keep your order", "preferences": preferences}
    assert sign_up(api_handler, "grace@example.com", **fields) == (202, SAME_ANSWER)
    (email,) = mail_to("grace@example.com")
    text = email.get_body(("plain",)).get_content()
    assert "evil.example" not in email.as_string()
    assert text.startswith("Hello,\r\n")
    asked = "newsletter, with the opens and clicks of our emails recorded for you"
    assert f"may receive our shop's {asked}:" in text
    status, page = call(api_handler, "GET", "/signup/confirm/", query={"token": confirmation_token(email)})
    assert (status, f"to our {asked}?" in page) == (200, True)


def test_an_erased_unsubscriber_comes_back_only_by_confirming_and_a_bounced_address_never(aws, api_handler):
    user = customer("u-1", "back@example.com")
    status, created = call(api_handler, "POST", "/subscribers/", {}, authorizer=user)
    assert status == 201, created
    staff(api_handler, "DELETE", f"/subscribers/{created['id']}/")
    erase(api_handler, created["contact_id"])
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=user)[0] == 422  # on the do-not-email list

    sign_up(api_handler, "back@example.com")
    assert confirm(api_handler, confirmation_token(mail_to("back@example.com")[0]))[0] == 200
    assert contact_of(api_handler, "back@example.com")["subscription_status"] == "subscribed"
    assert boto3.client("dynamodb").scan(TableName=aws["DO_NOT_EMAIL_TABLE"])["Items"] == []  # lifted

    from marketing.audience.models.subscribers import SubscriberStatus
    from marketing.audience.services import subscribers
    from marketing.audience.store import contacts as contact_store

    subscribers.suppress(contact_store.find_by_email("back@example.com"), SubscriberStatus.BOUNCED)
    assert sign_up(api_handler, "back@example.com") == (202, SAME_ANSWER)
    assert len(mail_to("back@example.com")) == 1  # the first confirmation only


def test_customers_confirm_when_the_policy_says_always(aws, api_handler, monkeypatch):
    monkeypatch.setenv("DOUBLE_OPT_IN_CUSTOMERS", "always")
    user = customer("u-7", "cy@example.com")
    status, body = call(api_handler, "POST", "/subscribers/", {"consent": {"wording_version": "v3"}}, authorizer=user)
    assert (status, body) == (202, SAME_ANSWER)
    contact = contact_of(api_handler, "cy@example.com")
    assert contact["subscription_status"] is None  # the contact exists (a customer), not subscribed yet
    confirm(api_handler, confirmation_token(mail_to("cy@example.com")[0]))
    signup, confirmed = consents(api_handler, contact["id"])
    assert (signup["method"], signup["actor"], signup["wording_version"]) == ("customer_account", "customer:u-7", "v3")
    assert confirmed["status"] == "subscribed"

    monkeypatch.setenv("DOUBLE_OPT_IN_CUSTOMERS", "unverified_only")
    verified = customer("u-8", "di@example.com")
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=verified)[0] == 201


def publish(aws, detail_type: str, detail: dict) -> None:
    entries = shop_event_entries([{"detail-type": detail_type, "detail": detail}], aws[EVENT_BUS_ENV])
    assert boto3.client("events").put_events(Entries=entries)["FailedEntryCount"] == 0


def test_a_registration_asks_once_for_a_confirmation_however_often_delivered(aws, monkeypatch):
    monkeypatch.setenv("DOUBLE_OPT_IN_REGISTRATIONS", "unverified_only")
    worker = importlib.import_module("workers.shop_events").lambda_handler
    detail = {"user_id": "u-9", "email": "reg@example.com", "marketing_opt_in": True, "consent": {"page": "/join"}}
    publish(aws, "user.registered", detail)
    (message,) = receive(aws[SHOP_EVENTS.env_var])
    for _ in range(2):  # SQS delivered it twice
        assert deliver(worker, aws[SHOP_EVENTS.env_var], [message]) == {"batchItemFailures": []}
    assert len(mail_to("reg@example.com")) == 1

    publish(aws, "user.registered", {**detail, "user_id": "u-10", "email": "ok@example.com", "email_verified": True})
    deliver(worker, aws[SHOP_EVENTS.env_var])
    assert mail_to("ok@example.com") == []  # verified by the shop: subscribed at once


@pytest.mark.parametrize(
    ("form", "method"),
    [
        ({"List-Unsubscribe": "One-Click"}, "one_click"),
        ({"List-Unsubscribe": "One-Click", "via": "page"}, "unsubscribe_page"),
    ],
)
def test_every_change_is_logged_with_how_and_who(aws, api_handler, form, method):
    from marketing.email.links import email_links

    user = customer("u-2", "eve@example.com")
    created = call(api_handler, "POST", "/subscribers/", {}, authorizer=user)[1]
    staff(api_handler, "PATCH", f"/subscribers/{created['id']}/preferences/", {"promotional": False})
    token = email_links().unsubscribe_url("cmp_1", created["contact_id"]).split("token=")[1]
    event = http_event("POST", "/unsubscribe/", urlencode(form), query={"token": unquote(token)})
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"
    assert api_handler(event, Context())["statusCode"] == 200
    log = consents(api_handler, created["contact_id"])
    assert [(entry["event"], entry["method"]) for entry in log] == [
        ("subscribed", "customer_account"),
        ("preferences_changed", "staff"),
        ("unsubscribed", method),
    ]
    assert log[1]["actor"] == "staff:arn:aws:iam::123456789012:user/staff"
    assert log[1]["preferences"]["promotional"] is False
    assert log[2]["source"] == "email cmp_1"

    export = staff(api_handler, "GET", f"/contacts/{created['contact_id']}/export/")[1]
    assert [entry["event"] for entry in export["consents"]] == ["subscribed", "preferences_changed", "unsubscribed"]
    erase(api_handler, created["contact_id"])
    assert boto3.client("dynamodb").scan(TableName=aws["CONSENT_LOG_TABLE"])["Items"] == []


def test_a_signup_that_is_not_json_is_a_415(aws, api_handler):
    event = http_event("POST", "/signup/", "email=ada@example.com")
    event["headers"]["content-type"] = "text/plain"
    response = api_handler(event, Context())
    assert response["statusCode"] == 415
    assert mail_to("ada@example.com") == []
