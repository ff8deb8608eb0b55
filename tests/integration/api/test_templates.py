"""Email templates through the API handler, with DynamoDB on moto."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import boto3
import pytest

from marketing.tokens import deployment_keys, deployment_signer
from tests.support.campaigns import outbox, subscriber
from tests.support.events import STAFF, Context, call, customer, http_event

WELCOME = {
    "name": "Welcome",
    "category": "automation",
    "subject": "Welcome, {{ first_name }}!",
    "html_content": "<h1>Hi {{ first_name }}</h1><p><a href='https://shop.example/start'>Start</a></p>",
}


def create(api_handler, **overrides):
    status, body = call(api_handler, "POST", "/templates/", {**WELCOME, **overrides}, authorizer=STAFF)
    assert status == 201, body
    return body


def test_create_then_detail_returns_the_saved_template(api_handler):
    created = create(api_handler)
    status, fetched = call(api_handler, "GET", f"/templates/{created['id']}/", authorizer=STAFF)
    assert status == 200
    assert fetched == created
    assert created["id"].startswith("tpl_")
    assert created["subject"] == WELCOME["subject"]
    assert created["created_at"] == created["updated_at"]


def test_unclosed_merge_tag_is_a_400_naming_the_field(api_handler):
    status, body = call(
        api_handler, "POST", "/templates/", {**WELCOME, "html_content": "<p>{{ first_name "}, authorizer=STAFF
    )
    assert status == 400
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"][0]["field"] == "html_content"


@pytest.mark.parametrize(
    ("field", "source"),
    [
        ("html_content", "{{ ''.__class__.__mro__ }}"),
        ("subject", "{{ first_name.__init__ }}"),
        ("text_content", "{{ x['__globals__'] }}"),
        ("html_content", "{{ first_name | no_such_filter }}"),
    ],
)
def test_unsafe_or_unknown_constructs_are_rejected_at_save(api_handler, field, source):
    status, body = call(api_handler, "POST", "/templates/", {**WELCOME, field: source}, authorizer=STAFF)
    assert status == 400
    assert body["error"]["details"][0]["field"] == field


def test_schema_errors_name_every_bad_field(api_handler):
    status, body = call(
        api_handler, "POST", "/templates/", {"name": "", "category": "spam", "extra": 1}, authorizer=STAFF
    )
    assert status == 400
    fields = {detail["field"] for detail in body["error"]["details"]}
    assert {"name", "category", "subject", "html_content", "extra"} <= fields


def test_malformed_json_is_a_400(api_handler):
    status, body = call(api_handler, "POST", "/templates/", "{not json", authorizer=STAFF)
    assert status == 400
    assert body["error"]["code"] == "validation_error"


def test_list_pages_newest_first_with_a_cursor(api_handler):
    ids = [create(api_handler, name=f"T{i}")["id"] for i in range(5)]
    status, first = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"limit": "2"})
    assert status == 200
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    seen = [item["id"] for item in first["items"]]
    cursor = first["next"]
    while cursor:
        _, page = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"limit": "2", "next": cursor})
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
    assert seen == ids[::-1]


def test_a_forged_cursor_is_a_400(api_handler):
    status, body = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"next": "eyJpZCI6IngifQ"})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "next"


def test_a_cursor_signed_with_a_key_from_the_source_is_refused_and_rotation_keeps_real_ones(aws, api_handler):
    """The cursor key was a constant in the source: anyone could sign a cursor of their choosing.
    Cursors are signed with the deployment's secret now, and survive its rotation like links."""
    for number in range(3):
        call(api_handler, "POST", "/templates/", {**WELCOME, "name": f"T{number}"}, authorizer=STAFF)
    cursor = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"limit": "1"})[1]["next"]
    raw = json.dumps({"id": {"S": "tpl_x"}}, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(b"marketing-cursor-v1", raw, hashlib.sha256).digest()[:12]
    forged = base64.urlsafe_b64encode(mac + raw).decode().rstrip("=")
    status, body = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"next": forged})
    assert (status, body["error"]["details"][0]["field"]) == (400, "next")
    secret = aws["TOKEN_SECRET_NAME"]
    boto3.client("secretsmanager").put_secret_value(SecretId=secret, SecretString="rotated-" + "k" * 40)
    deployment_keys.cache_clear()  # a container started after the rotation
    deployment_signer.cache_clear()
    try:
        status, page = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"limit": "1", "next": cursor})
    finally:
        deployment_keys.cache_clear()
        deployment_signer.cache_clear()
    assert status == 200, page
    assert len(page["items"]) == 1


def test_limit_out_of_range_is_a_400(api_handler):
    status, body = call(api_handler, "GET", "/templates/", authorizer=STAFF, query={"limit": "1000"})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "limit"


def test_patch_changes_only_given_fields_and_revalidates(api_handler):
    created = create(api_handler)
    status, patched = call(api_handler, "PATCH", f"/templates/{created['id']}/", {"name": "Renamed"}, authorizer=STAFF)
    assert status == 200
    assert patched["name"] == "Renamed"
    assert patched["html_content"] == WELCOME["html_content"]
    assert patched["updated_at"] > created["updated_at"]
    status, body = call(api_handler, "PATCH", f"/templates/{created['id']}/", {"subject": "{% if %}"}, authorizer=STAFF)
    assert status == 400
    assert body["error"]["details"][0]["field"] == "subject"
    status, body = call(api_handler, "PATCH", f"/templates/{created['id']}/", {"name": None}, authorizer=STAFF)
    assert status == 400
    assert body["error"]["details"][0]["field"] == "name"


def test_delete_then_detail_is_404(api_handler):
    created = create(api_handler)
    assert call(api_handler, "DELETE", f"/templates/{created['id']}/", authorizer=STAFF)[0] == 204
    status, body = call(api_handler, "GET", f"/templates/{created['id']}/", authorizer=STAFF)
    assert status == 404
    assert body["error"]["code"] == "not_found"
    assert call(api_handler, "DELETE", f"/templates/{created['id']}/", authorizer=STAFF)[0] == 404


def test_preview_renders_sample_data_and_overrides(api_handler):
    created = create(api_handler)
    status, preview = call(api_handler, "POST", f"/templates/{created['id']}/preview/", {}, authorizer=STAFF)
    assert status == 200
    assert preview["subject"] == "Welcome, Ada!"
    assert "<h1>Hi Ada</h1>" in preview["html"]
    assert "Start (https://shop.example/start)" in preview["text"]
    _, preview = call(
        api_handler,
        "POST",
        f"/templates/{created['id']}/preview/",
        {"data": {"first_name": "<script>"}},
        authorizer=STAFF,
    )
    assert "&lt;script&gt;" in preview["html"]  # HTML is autoescaped
    assert preview["subject"] == "Welcome, <script>!"  # the subject is text, not HTML


def test_customer_and_anonymous_callers_are_refused(api_handler):
    assert call(api_handler, "GET", "/templates/", authorizer=customer())[0] == 403
    assert call(api_handler, "GET", "/templates/")[0] == 403


def test_a_path_without_its_trailing_slash_reaches_the_same_route(api_handler):
    created = create(api_handler)
    event_path = f"/templates/{created['id']}"
    status, body = call(api_handler, "GET", event_path, authorizer=STAFF)
    assert status == 200
    assert body["id"] == created["id"]


def test_a_body_over_the_size_limit_is_a_413_before_any_work(api_handler):
    body = {"name": "big", "category": "newsletter", "subject": "s", "html_content": "x" * 1_100_000}
    status, error = call(api_handler, "POST", "/templates/", body, authorizer=STAFF)
    assert (status, error["error"]["code"]) == (413, "payload_too_large")


def test_a_body_that_is_not_json_is_a_415(api_handler):
    event = http_event("POST", "/templates/", "name=x", authorizer=STAFF)
    event["headers"]["content-type"] = "text/plain"
    response = api_handler(event, Context())
    assert response["statusCode"] == 415
    assert json.loads(response["body"])["error"]["code"] == "unsupported_media_type"


def test_a_body_that_is_not_even_text_is_a_400(api_handler):
    event = http_event("POST", "/templates/", None, authorizer=STAFF)
    event.update(body=base64.b64encode(b"\xff\xfe\x00{").decode(), isBase64Encoded=True)
    response = api_handler(event, Context())
    assert response["statusCode"] == 400, response


@pytest.mark.parametrize("path", ["/unsubscribe/", "/preferences/"])
def test_a_form_that_is_not_text_is_a_400_not_a_500(api_handler, path):
    """The forms behind an email's links take form bodies, not JSON: raw bytes in one (no browser
    sends them) are refused before the token is read, as any other body that is not text."""
    event = http_event("POST", path, None, query={"token": "any"})
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"
    event.update(body=base64.b64encode(b"List-Unsubscribe=One-Click&x=\xff").decode(), isBase64Encoded=True)
    response = api_handler(event, Context())
    assert response["statusCode"] == 400, response
    assert json.loads(response["body"])["error"]["code"] == "validation_error"


def test_a_template_is_sent_as_a_test_before_any_campaign_uses_it(aws, api_handler):
    template = create(api_handler, subject="Hello {{ first_name }}")
    status, body = call(
        api_handler,
        "POST",
        f"/templates/{template['id']}/test-send/",
        {"emails": ["boss@example.com"]},
        authorizer=STAFF,
    )
    assert status == 200, body
    (sent,) = outbox()
    assert sent["Subject"] == "[Test] Hello Ada"  # the sample contact, as a campaign's test copy
    assert str(sent["To"]) == "boss@example.com"
    assert sent["From"].addresses[0].display_name == "our shop"  # the shop's name (SHOP_NAME, unset here)


def test_a_template_test_honours_opt_outs_and_needs_a_template(aws, api_handler):
    template = create(api_handler)
    subscriber(api_handler, "gone@example.com", "Gone", subscribed=False)
    status, body = call(
        api_handler,
        "POST",
        f"/templates/{template['id']}/test-send/",
        {"emails": ["gone@example.com"]},
        authorizer=STAFF,
    )
    assert status == 422, body
    assert body["error"]["details"][0]["field"] == "emails"
    assert outbox() == []
    status, _ = call(
        api_handler, "POST", "/templates/unknown/test-send/", {"emails": ["a@example.com"]}, authorizer=STAFF
    )
    assert status == 404
