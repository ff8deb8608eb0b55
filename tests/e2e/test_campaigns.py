"""The campaigns issue's checks, as a new user would make them: over HTTP against local mode, with
sends flowing API -> queue -> workers -> SES (moto) -> simulated SES events -> queue -> worker."""

from __future__ import annotations

import email
import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email import policy
from urllib.parse import unquote, urlencode

import pytest

from tests.e2e.test_audience import eventually, mkt, post_local, queue_idle, sqs

pytestmark = pytest.mark.e2e

TEMPLATE = {
    "name": "Sale",
    "category": "promotional",
    "subject": "{{ first_name }}, the sale is on",
    "html_content": '<p>Hi {{ first_name }}</p><p><a href="https://shop.example/sale">Shop now</a></p>',
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def subscribe(local_stack, address: str, name: str) -> dict:
    token = local_stack.customer_token(address.split("@")[0], address)
    request = urllib.request.Request(
        f"{local_stack.api_url}/subscribers/",
        data=json.dumps({"first_name": name}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def outbox(local_stack, address: str) -> list[email.message.EmailMessage]:
    with urllib.request.urlopen(f"{local_stack.origin}/local/outbox?{urlencode({'to': address})}") as response:
        items = json.loads(response.read())["items"]
    return [email.message_from_string(item["raw"], policy=policy.default) for item in items]


def send_and_wait(staff, contact_ids: list[str], template_id: str) -> dict:
    segment = staff.call("POST", "segments/", {"name": "Sale list", "type": "static", "contact_ids": contact_ids})
    campaign = staff.call(
        "POST",
        "campaigns/",
        {"name": "Sale", "template_id": template_id, "segment_id": segment["id"], "from_name": "Shop"},
    )
    staff.call("POST", f"campaigns/{campaign['id']}/send/")
    return eventually(lambda: (c := staff.call("GET", f"campaigns/{campaign['id']}/"))["status"] == "sent" and c)


def test_a_campaign_end_to_end(local_stack):
    staff = local_stack.staff()
    people = {
        address: subscribe(local_stack, address, name)
        for address, name in [
            ("ada@example.com", "Ada"),
            ("grace@example.com", "Grace"),
            ("bounce@simulator.amazonses.com", "Bounce"),
            ("gone@example.com", "Gone"),
        ]
    }
    staff.call("DELETE", f"subscribers/{people['gone@example.com']['id']}/")
    template = staff.call("POST", "templates/", TEMPLATE)
    campaign = send_and_wait(staff, [person["contact_id"] for person in people.values()], template["id"])
    assert campaign["progress"] == {"total": 4, "sent": 3, "failed": 0, "suppressed": 1, "queued": 0}

    # Three emails, each with its headers, both parts, the reader's name.
    assert outbox(local_stack, "gone@example.com") == []
    (ada,) = outbox(local_stack, "ada@example.com")
    assert ada["Subject"] == "Ada, the sale is on"
    assert ada["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "mailto:" in str(ada["List-Unsubscribe"])
    text = ada.get_body(("plain",)).get_content()
    html = ada.get_body(("html",)).get_content()
    assert "Hi Ada" in text
    assert "Hi Ada" in html

    # The pixel counts as an open; a click redirects to the original link; a tampered one does not.
    pixel = re.search(r'src="([^"]+/track/open/[^"]+)"', html).group(1)
    status, headers, body = fetch(pixel)
    assert (status, headers["Content-Type"], body[:6]) == (200, "image/gif", b"GIF89a")
    click = re.search(r'href="([^"]+/track/click/[^"]+)"', html).group(1)
    status, headers, _ = fetch(click)
    assert (status, headers["Location"]) == (302, "https://shop.example/sale")
    status, headers, _ = fetch(click.replace("/track/click/", "/track/click/x"))
    assert status == 400
    assert "Location" not in headers

    # An order after the click is the campaign's conversion, with its revenue.
    post_local(
        local_stack,
        "/local/events",
        {
            "detail-type": "order.paid",
            "detail": {
                "order_id": "e2e-o1",
                "email": "ada@example.com",
                "total": "30.00",
                "paid_at": datetime.now(UTC).isoformat(),
            },
        },
    )

    # The simulator's bounce suppresses the address.
    bounced = people["bounce@simulator.amazonses.com"]["id"]
    eventually(lambda: staff.call("GET", f"subscribers/{bounced}/")["status"] == "bounced")

    def report() -> dict | None:
        analytics = staff.call("GET", f"campaigns/{campaign['id']}/analytics/")
        done = analytics["conversions"] == 1 and analytics["bounced"] == 1 and analytics["delivered"] == 2
        done = done and analytics["opened"] == 1  # the opens worker records it a moment after the pixel
        return analytics if done else None

    analytics = eventually(report)
    assert (analytics["opened"], analytics["clicked"], analytics["revenue"]) == (1, 1, "30.00")

    # One-click unsubscribe (RFC 8058), twice: the same result.
    unsubscribe = str(ada["List-Unsubscribe"]).split("<")[1].split(">")[0]
    for _ in range(2):
        status, _, page = fetch(
            unsubscribe, b"List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 200
        assert b"unsubscribed" in page
    assert staff.call("GET", f"subscribers/{people['ada@example.com']['id']}/")["status"] == "unsubscribed"
    assert unquote(unsubscribe)  # the token survives URL decoding

    # Redelivering a send batch sends nothing new.
    client = sqs(local_stack)
    queue = client.get_queue_url(QueueName="marketing-local-campaign-deliveries")["QueueUrl"]
    ids = [person["contact_id"] for person in people.values()]
    client.send_message(QueueUrl=queue, MessageBody=json.dumps({"campaign_id": campaign["id"], "contact_ids": ids}))
    eventually(lambda: queue_idle(local_stack, "campaign-deliveries"))
    assert len(outbox(local_stack, "grace@example.com")) == 1

    # A second campaign skips the unsubscribed, the bounced and the one who left before.
    second = send_and_wait(staff, ids, template["id"])
    assert second["progress"] == {"total": 4, "sent": 1, "failed": 0, "suppressed": 3, "queued": 0}
    assert len(outbox(local_stack, "grace@example.com")) == 2
    assert len(outbox(local_stack, "ada@example.com")) == 1


def test_the_staff_cli_creates_sends_with_progress_and_schedules(local_stack):
    staff = local_stack.staff()
    person = subscribe(local_stack, "cli-reader@example.com", "Reader")
    template = staff.call("POST", "templates/", TEMPLATE)
    segment = staff.call("POST", "segments/", {"name": "CLI", "type": "static", "contact_ids": [person["contact_id"]]})
    ids = ["--template-id", template["id"], "--segment-id", segment["id"], "--from-name", "Shop"]
    campaign = mkt(local_stack, "campaigns", "create", "--name", "CLI sale", *ids)
    sent = mkt(local_stack, "campaigns", "send", campaign["id"])
    assert (sent["status"], sent["progress"]["sent"]) == ("sent", 1)
    status = mkt(local_stack, "campaigns", "status", campaign["id"])
    assert status["analytics"]["sent"] == 1
    later = mkt(local_stack, "campaigns", "create", "--name", "Later", *ids)
    moment = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = mkt(local_stack, "campaigns", "schedule", later["id"], "--at", moment)
    assert scheduled["status"] == "scheduled"
    assert mkt(local_stack, "campaigns", "cancel", later["id"])["status"] == "cancelled"
