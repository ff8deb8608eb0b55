"""The audience issue's checks, as a new user would make them: over HTTP and the CLI against
local mode, with the shop's events flowing bus -> rule -> queue -> poller -> worker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

pytestmark = pytest.mark.e2e
MKT = str(Path(sys.executable).parent / "mkt")


def mkt(local_stack, *args: str) -> dict:
    done = subprocess.run(
        [MKT, "--local", "--api-url", local_stack.api_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=local_stack.environment,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def post_local(local_stack, path: str, body) -> dict:
    request = urllib.request.Request(
        f"{local_stack.origin}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def eventually(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def contact_by_email(local_stack, email: str) -> dict | None:
    items = local_stack.staff().call("GET", "contacts/", query={"email": email})["items"]
    return items[0] if items else None


def sqs(local_stack):
    return boto3.client(
        "sqs",
        endpoint_url=local_stack.moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def queue_idle(local_stack, name: str) -> bool:
    client = sqs(local_stack)
    url = client.get_queue_url(QueueName=f"marketing-local-{name}")["QueueUrl"]
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (
        attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    )


def test_user_registered_with_opt_in_makes_a_contact_and_a_subscriber(local_stack):
    published = post_local(
        local_stack,
        "/local/events",
        {
            "detail-type": "user.registered",
            "detail": {"user_id": "u-77", "email": "reg@example.com", "marketing_opt_in": True},
        },
    )
    assert published["entries"][0]["EventId"]
    contact = eventually(lambda: contact_by_email(local_stack, "reg@example.com"))
    assert contact["user_id"] == "u-77"
    subscriber = eventually(lambda: local_stack.staff().call("GET", f"contacts/{contact['id']}/export/")["subscriber"])
    assert (subscriber["status"], subscriber["source"]) == ("subscribed", "website")


def test_order_paid_published_twice_counts_once(local_stack):
    order = json.dumps(
        {"order_id": "o-e2e-1", "email": "twice@example.com", "total": "19.99", "paid_at": "2026-11-20T12:00:00Z"}
    )
    mkt(local_stack, "events", "publish", "order.paid", "--detail", order)
    mkt(local_stack, "events", "publish", "order.paid", "--detail", order)
    eventually(lambda: contact_by_email(local_stack, "twice@example.com"))
    eventually(lambda: queue_idle(local_stack, "shop-events"))
    contact = contact_by_email(local_stack, "twice@example.com")
    assert (contact["order_count"], contact["lifetime_value"]) == (1, "19.99")


def test_an_invalid_event_lands_on_the_dead_letter_queue_with_the_reason(local_stack):
    post_local(local_stack, "/local/events", {"detail-type": "order.paid", "detail": {"order_id": "o-bad"}})
    client = sqs(local_stack)
    dlq = client.get_queue_url(QueueName="marketing-local-shop-events-dlq")["QueueUrl"]

    def dead_letter():
        messages = client.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], WaitTimeSeconds=1).get(
            "Messages", []
        )
        return [m for m in messages if json.loads(m["Body"])["detail"].get("order_id") == "o-bad"]

    (message,) = eventually(dead_letter)
    assert "email: Field required" in message["MessageAttributes"]["error_reason"]["StringValue"]


def test_import_three_good_rows_and_two_bad_with_the_cli(local_stack, tmp_path):
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(
        "email,first_name,lifecycle_stage,tags\n"
        "imp-a@example.com,A,customer,vip\n"
        "bad-address,B,lead,\n"
        "imp-c@example.com,C,lead,\n"
        "imp-d@example.com,D,royalty,\n"
        "imp-e@example.com,E,vip,\n"
    )
    result = mkt(local_stack, "contacts", "import", str(csv_file))
    assert result["status"] == "completed", result
    assert (result["counts"]["created"], result["counts"]["rejected"]) == (3, 2)
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(3, "email"), (5, "lifecycle_stage")]


def test_a_nested_dynamic_segment_refreshed_with_the_cli_has_exactly_its_members(local_stack):
    staff = local_stack.staff()
    for email, stage, tags, orders in (
        ("seg-1@example.com", "lead", ["vip"], 1),
        ("seg-2@example.com", "customer", [], 2),
        ("seg-3@example.com", "customer", ["vip"], 0),
        ("seg-4@example.com", "lead", [], 4),
    ):
        staff.call(
            "POST",
            "contacts/",
            {"email": email, "lifecycle_stage": stage, "tags": [*tags, "segtest"], "order_count": orders},
        )
    criteria = {
        "all": [
            {"tags": {"any": ["segtest"]}},
            {"min_order_count": 1},
            {"any": [{"tags": {"any": ["vip"]}}, {"lifecycle_stage": "customer"}]},
        ]
    }
    segment = staff.call("POST", "segments/", {"name": "e2e", "type": "dynamic", "criteria": criteria})
    refreshed = mkt(local_stack, "segments", "refresh", segment["id"])
    assert (refreshed["refresh_status"], refreshed["contact_count"]) == ("idle", 2)
    members = mkt(local_stack, "segments", "members", segment["id"])
    assert {item["email"] for item in members["items"]} == {"seg-1@example.com", "seg-2@example.com"}


def test_the_daily_refresh_schedule_is_listed_and_can_be_fired(local_stack):
    with urllib.request.urlopen(f"{local_stack.origin}/local/schedules", timeout=10) as response:
        schedules = {item["name"]: item for item in json.loads(response.read())["items"]}
    assert set(schedules) == {
        "segment-refresh",
        "abandoned-carts",
        "automation-sweep",
        "referral-rewards",
        "points-expiry",
        "gift-card-expiry",
    }
    assert schedules["referral-rewards"]["next_run"].endswith("T01:00:00.000Z")
    assert schedules["gift-card-expiry"]["next_run"].endswith("T04:00:00.000Z")
    assert schedules["segment-refresh"]["next_run"].endswith("T02:00:00.000Z")
    assert schedules["automation-sweep"]["next_run"][14:16] in {"05", "20", "35", "50"}
    fired = post_local(local_stack, "/local/schedules?name=segment-refresh", {})
    assert fired["result"]["queued"] >= 0


def test_an_erased_contact_is_held_by_no_table(local_stack):
    staff = local_stack.staff()
    order = {"order_id": "o-erase", "email": "erase-me@example.com", "total": "5.00", "paid_at": "2026-11-20T12:00:00Z"}
    post_local(local_stack, "/local/events", {"detail-type": "order.paid", "detail": order})
    contact = eventually(lambda: contact_by_email(local_stack, "erase-me@example.com"))
    staff.call("POST", "segments/", {"name": "erase", "type": "static", "contact_ids": [contact["id"]]})
    assert staff.send("DELETE", f"contacts/{contact['id']}/").status == 204
    assert staff.send("GET", f"contacts/{contact['id']}/export/").status == 404

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=local_stack.moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    for table in dynamodb.list_tables()["TableNames"]:
        dump = json.dumps(dynamodb.scan(TableName=table)["Items"])
        assert "erase-me@example.com" not in dump, table
        assert contact["id"] not in dump, table
