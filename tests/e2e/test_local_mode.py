"""The foundation as a user meets it: local mode over real HTTP, admin calls signed with botocore's
SigV4 signer, customer calls with a local JWT."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import boto3
import pytest
from botocore.credentials import Credentials

from marketing.catalog.staff_roles import StaffRole
from marketing_cli.client import ApiClient
from tests.e2e.conftest import running_local_stack

pytestmark = pytest.mark.e2e

TEMPLATE = {
    "name": "Spring sale",
    "category": "promotional",
    "subject": "{{ first_name }}, spring is here",
    "html_content": "<p>Hello {{ first_name }}, 20% off everything.</p>",
}


def test_local_mode_prints_where_everything_is(local_stack):
    banner = local_stack.log.read_text()
    assert f"{local_stack.api_url}/" in banner
    assert f"{local_stack.api_url}/openapi.json" in banner
    assert f"{local_stack.api_url}/docs" in banner
    assert f"{local_stack.origin}/local/outbox" in banner


def test_signed_create_then_list(local_stack):
    staff = local_stack.staff()
    response = staff.send("POST", "templates/", TEMPLATE)
    assert response.status == 201, response.body
    created = response.body
    listed = staff.call("GET", "templates/", query={"limit": 100})
    assert created["id"] in [item["id"] for item in listed["items"]]
    assert staff.call("GET", f"templates/{created['id']}")["name"] == "Spring sale"  # no trailing slash


def test_unsigned_wrongly_signed_and_expired_requests_get_403(local_stack):
    unsigned = ApiClient(local_stack.api_url, None, "eu-west-2")
    assert unsigned.send("POST", "templates/", TEMPLATE).status == 403
    wrong_secret = ApiClient(local_stack.api_url, Credentials("local-staff", "not-the-secret"), "eu-west-2")
    response = wrong_secret.send("POST", "templates/", TEMPLATE)
    assert response.status == 403
    assert "signature" in response.body["message"].lower()
    unknown_key = ApiClient(local_stack.api_url, Credentials("someone", "local-staff-secret"), "eu-west-2")
    assert unknown_key.send("GET", "templates/").status == 403
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    with mock.patch("botocore.auth.get_current_datetime", return_value=past):
        response = local_stack.staff().send("GET", "templates/")
    assert response.status == 403
    assert "expired" in response.body["message"].lower()


def test_the_analyst_key_pair_reads_and_is_refused_writes_by_name(local_stack):
    analyst = ApiClient.local(local_stack.api_url, StaffRole.ANALYST)
    assert analyst.send("GET", "templates/").status == 200
    response = analyst.send("POST", "templates/", TEMPLATE)
    assert response.status == 403
    assert response.body["error"]["message"] == (
        "the marketing analyst role may not POST /templates/: it needs the marketing manager role"
    )


def test_a_customer_token_on_an_admin_route_gets_403(local_stack):
    token = local_stack.customer_token("u-1", "u1@example.com")
    response = ApiClient(local_stack.api_url, None, "eu-west-2").send(
        "GET", "templates/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 403


def test_customer_routes_verify_the_jwt(local_stack):
    anonymous = ApiClient(local_stack.api_url, None, "eu-west-2")
    token = local_stack.customer_token("u-7", "u7@example.com")
    response = anonymous.send("GET", "me/", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    assert response.body == {"user_id": "u-7", "email": "u7@example.com"}
    assert anonymous.send("GET", "me/").status == 401
    expired = local_stack.customer_token("u-7", "u7@example.com", ttl=-60)
    assert anonymous.send("GET", "me/", headers={"Authorization": f"Bearer {expired}"}).status == 401
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert anonymous.send("GET", "me/", headers={"Authorization": f"Bearer {forged}"}).status == 401
    assert local_stack.staff().send("GET", "me/").status == 401  # SigV4 is not a customer token


def test_an_unclosed_merge_tag_is_a_400_naming_the_field(local_stack):
    response = local_stack.staff().send("POST", "templates/", {**TEMPLATE, "subject": "Hi {{ first_name "})
    assert response.status == 400
    assert response.body["error"]["details"][0]["field"] == "subject"


def test_preview_patch_and_delete_round_trip(local_stack):
    staff = local_stack.staff()
    created = staff.call("POST", "templates/", TEMPLATE)
    preview = staff.call("POST", f"templates/{created['id']}/preview/", {"data": {"first_name": "Sam"}})
    assert preview["subject"] == "Sam, spring is here"
    assert staff.call("PATCH", f"templates/{created['id']}/", {"name": "Renamed"})["name"] == "Renamed"
    assert staff.send("DELETE", f"templates/{created['id']}/").status == 204
    assert staff.send("GET", f"templates/{created['id']}/").status == 404


def test_openapi_lists_every_template_route_with_schemas(local_stack):
    with urllib.request.urlopen(f"{local_stack.api_url}/openapi.json") as response:
        document = json.load(response)
    paths = document["paths"]
    assert set(paths["/templates/"]) >= {"get", "post"}
    assert set(paths["/templates/{template_id}/"]) >= {"get", "patch", "delete"}
    assert "post" in paths["/templates/{template_id}/preview/"]
    assert document["servers"][0]["url"] == "/api/v1/marketing"
    create = paths["/templates/"]["post"]
    assert create["security"] == [{"sigv4": []}]
    assert create["requestBody"]["content"]["application/json"]["schema"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"]
    schemas = document["components"]["schemas"]
    assert {"TemplateCreate", "TemplatePatch", "EmailTemplate", "TemplatePage", "Preview"} <= set(schemas)
    with urllib.request.urlopen(f"{local_stack.api_url}/docs") as response:
        assert response.status == 200
        assert "swagger" in response.read().decode().lower()


def test_the_outbox_lists_what_ses_accepted_with_raw_mime(local_stack):
    ses = boto3.client(
        "sesv2",
        endpoint_url=local_stack.moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    raw = (
        b"From: shop@shop.example\r\nTo: reader@example.com\r\nSubject: Outbox probe\r\n"
        b"Content-Type: text/plain\r\n\r\nHello"
    )
    ses.send_email(
        FromEmailAddress="shop@shop.example",
        Destination={"ToAddresses": ["reader@example.com"]},
        Content={"Raw": {"Data": raw}},
    )
    with urllib.request.urlopen(f"{local_stack.origin}/local/outbox?to=reader@example.com") as response:
        outbox = json.load(response)
    (message,) = outbox["items"]
    assert message["subject"] == "Outbox probe"
    assert "Subject: Outbox probe" in message["raw"]


def test_the_staff_cli_lists_templates(local_stack):
    local_stack.staff().call("POST", "templates/", {**TEMPLATE, "name": "From the CLI test"})
    mkt = str(Path(sys.executable).parent / "mkt")
    result = subprocess.run(
        [mkt, "--local", "--api-url", local_stack.api_url, "templates", "list", "--limit", "100"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "From the CLI test" in [item["name"] for item in json.loads(result.stdout)["items"]]


def test_parallel_signed_requests_all_succeed(local_stack):
    staff = local_stack.staff()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda i: staff.send("POST", "templates/", {**TEMPLATE, "name": f"P{i}"}).status, range(16))
        )
    assert statuses == [201] * 16


def _link_signing_key(stack) -> str:
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=stack.moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    return secrets.get_secret_value(SecretId="marketing-local/token-signing-key")["SecretString"]


def test_ctrl_c_stops_within_5_s_and_the_data_is_there_after_a_restart_unless_started_clean(tmp_path):
    with running_local_stack(tmp_path) as first:
        created = first.staff().call("POST", "templates/", TEMPLATE)
        key = _link_signing_key(first)
    assert first.stopped_after_seconds < 5, first.log.read_text()
    with running_local_stack(tmp_path) as again:
        assert again.staff().call("GET", f"templates/{created['id']}/")["name"] == TEMPLATE["name"]
        assert _link_signing_key(again) == key  # links in emails sent before the restart still work
        assert "Restored the data saved when local mode last stopped: 1 item in 1 table" in again.log.read_text()
    with running_local_stack(tmp_path, "--clean") as clean:
        assert clean.staff().send("GET", f"templates/{created['id']}/").status == 404
        assert _link_signing_key(clean) != key


def test_a_token_made_without_mkt_api_port_is_accepted_on_any_port(local_stack):
    environment = {name: value for name, value in local_stack.environment.items() if name != "MKT_API_PORT"}
    token = subprocess.run(
        [str(Path(sys.executable).parent / "mkt-local"), "token", "--user-id", "u-port", "--email", "p@example.com"],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    response = ApiClient(local_stack.api_url, None, "eu-west-2").send(
        "GET", "me/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200, response.body


def test_events_publish_returns_once_the_event_was_handled(local_stack):
    mkt = str(Path(sys.executable).parent / "mkt")
    detail = {"user_id": "u-wait", "email": "waited@example.com", "marketing_opt_in": True}
    published = subprocess.run(
        [mkt, "--local", "events", "publish", "user.registered", "--detail", json.dumps(detail)],
        env=local_stack.environment,  # MKT_API_PORT names the stack's port
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(published.stdout)["handled"] is True
    contacts = local_stack.staff().call("GET", "contacts/", query={"email": "waited@example.com"})
    assert [contact["email"] for contact in contacts["items"]] == ["waited@example.com"]
