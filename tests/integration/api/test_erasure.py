"""Erasure and export reach what outlives the rest: the runs of an automation deleted since, and a
signup still waiting for its confirmation. Through the API handler, the state machine (moto) and
the automation worker."""

from __future__ import annotations

import boto3
import pytest

from tests.integration.api.test_do_not_email import erase
from tests.integration.api.test_signups import confirm, confirmation_token, contact_of, mail_to, sign_up
from tests.support.automations import automation, executions, publish, run_until, sent_to
from tests.support.campaigns import staff

HOUR_SECONDS = 0.02  # the first email at once; the second one, 500 hours later, is 10 s away


@pytest.fixture
def api(api_handler, monkeypatch):
    monkeypatch.setenv("AUTOMATION_HOUR_SECONDS", str(HOUR_SECONDS))
    return api_handler


def items(aws, table_env: str) -> list[dict]:
    return boto3.client("dynamodb").scan(TableName=aws[table_env])["Items"]


def test_the_run_of_a_deleted_automation_is_exported_then_erased_and_its_execution_stopped(aws, api):
    series = automation(api, "cart_abandoned", [0, 500])
    publish(aws, "user.registered", {"user_id": "u1", "email": "ada@example.com", "marketing_opt_in": True})
    cart = {"cart_id": "c1", "email": "ada@example.com", "cart_url": "https://shop.example/cart/c1"}
    publish(aws, "cart.abandoned", {**cart, "abandoned_at": "2026-11-20T10:00:00Z"})
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    [run] = executions(api, series["id"])
    assert run["status"] == "in_progress"  # waiting for its second email
    arn = items(aws, "AUTOMATION_EXECUTIONS_TABLE")[0]["execution_arn"]["S"]
    assert staff(api, "DELETE", f"/automations/{series['id']}/")[0] == 204

    status, exported = staff(api, "GET", f"/contacts/{run['contact_id']}/export/")
    assert status == 200, exported
    assert [(r["automation_id"], r["status"]) for r in exported["automation_executions"]] == [
        (series["id"], "in_progress")
    ]

    erase(api, run["contact_id"])
    assert items(aws, "AUTOMATION_EXECUTIONS_TABLE") == []  # the trigger key and the cart went with it
    assert boto3.client("stepfunctions").describe_execution(executionArn=arn)["status"] == "ABORTED"
    assert items(aws, "AUTOMATIONS_TABLE") == []  # stopping it counted nothing on the deleted automation


# Contacts compare addresses case-insensitively: a signup in other case is the same address.
@pytest.mark.parametrize("signed_up_as", ["ada@example.com", "Ada@example.com"])
def test_erasure_deletes_the_addresss_pending_signup_so_its_link_subscribes_nobody(aws, api_handler, signed_up_as):
    status, ada = staff(api_handler, "POST", "/contacts/", {"email": "ada@example.com", "first_name": "Ada"})
    assert status == 201, ada
    sign_up(api_handler, signed_up_as, first_name="Ada")
    sign_up(api_handler, "bo@example.com")  # someone else's signup stays
    token = confirmation_token(mail_to(signed_up_as)[0])

    erase(api_handler, ada["id"])
    status, _page = confirm(api_handler, token)
    assert status == 404  # as for an expired link: the erased person is not subscribed again
    assert contact_of(api_handler, "ada@example.com") is None
    assert [item["email"]["S"] for item in items(aws, "SIGNUPS_TABLE")] == ["bo@example.com"]
    assert confirm(api_handler, confirmation_token(mail_to("bo@example.com")[0]))[0] == 200
