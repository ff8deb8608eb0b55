"""The automations issue's checks, as a new user would make them on local mode with hours scaled
to tenths of a second: series created and run with the staff CLI, shop events published to the
local bus, the real state machine definition waiting on moto, emails read back from the outbox."""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.test_audience import eventually, mkt, post_local
from tests.e2e.test_campaigns import fetch, outbox

pytestmark = pytest.mark.e2e
HOUR = 0.1  # seconds per automation hour (MKT_AUTOMATION_HOUR_SECONDS in conftest)


@pytest.fixture
def series(local_stack, tmp_path):
    """Makes active automations from the CLI; deletes them afterwards, so the other tests'
    registrations start none."""
    made: list[str] = []
    template = local_stack.staff().call(
        "POST",
        "templates/",
        {
            "name": "Series email",
            "category": "automation",
            "subject": "Hello {{ first_name }}",
            "html_content": '<p>Hi {{ first_name }}, <a href="https://shop.example/new">see what is new</a></p>',
        },
    )

    def make(trigger: str, delays: list[int]) -> dict:
        emails = [
            {"order": order, "delay_hours": delay, "template_id": template["id"], "subject": f"{trigger} {order}"}
            for order, delay in enumerate(delays, start=1)
        ]
        path = tmp_path / f"{trigger}-{len(made)}.yaml"
        path.write_text(
            f"name: {trigger} series\ntrigger: {trigger}\nemails:\n"
            + "".join(f"  - {json.dumps(email)}\n" for email in emails)
        )
        created = mkt(local_stack, "automations", "create", "--file", str(path))
        assert created["status"] == "paused"
        made.append(created["id"])
        assert mkt(local_stack, "automations", "activate", created["id"])["status"] == "active"
        return created

    yield make
    for automation_id in made:
        mkt(local_stack, "automations", "delete", automation_id)


def register(local_stack, address: str, user_id: str) -> None:
    detail = {"user_id": user_id, "email": address, "first_name": "Ada", "marketing_opt_in": True}
    post_local(local_stack, "/local/events", {"detail-type": "user.registered", "detail": detail})


def executions(local_stack, automation_id: str, **query: str) -> list[dict]:
    return mkt(local_stack, "automations", "executions", automation_id, *[f"--{k}={v}" for k, v in query.items()])[
        "items"
    ]


def arrivals(local_stack, address: str, count: int, timeout: float) -> list[float]:
    """When each of the first `count` emails to `address` was seen in the outbox."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout
    while len(seen) < count:
        assert time.monotonic() < deadline, f"only {len(seen)} of {count} emails arrived"
        seen += [time.monotonic()] * (len(outbox(local_stack, address)) - len(seen))
        time.sleep(0.1)
    return seen


def test_a_welcome_series_arrives_in_order_after_its_delays_and_once(local_stack, series):
    welcome = series("user_registered", [0, 24, 72])
    started = time.monotonic()
    register(local_stack, "welcome-e2e@example.com", "we1")
    first, second, third = arrivals(local_stack, "welcome-e2e@example.com", 3, timeout=60)
    assert first - started < 15  # at once (the pollers and cold starts take a few seconds)
    assert second - first > 24 * HOUR * 0.7
    assert third - second > 72 * HOUR * 0.7

    emails = outbox(local_stack, "welcome-e2e@example.com")
    assert [message["Subject"] for message in emails] == ["user_registered 1", "user_registered 2", "user_registered 3"]
    for message in emails:
        assert message["List-Unsubscribe"].startswith("<http")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = message.get_body(("html",)).get_content()
        assert "/track/open/" in html
        assert "/track/click/" in html
    [run] = eventually(lambda: executions(local_stack, welcome["id"], status="completed"))
    assert run["current_email_order"] == 3

    register(local_stack, "welcome-e2e@example.com", "we1")  # again: no second execution
    time.sleep(3)
    assert len(executions(local_stack, welcome["id"])) == 1
    assert len(outbox(local_stack, "welcome-e2e@example.com")) == 3
    assert mkt(local_stack, "automations", "analytics", welcome["id"])["entered"] == 1


def test_unsubscribing_halfway_stops_the_rest_of_the_series(local_stack, series):
    welcome = series("user_registered", [0, 30, 30])
    register(local_stack, "leaver-e2e@example.com", "le1")
    arrivals(local_stack, "leaver-e2e@example.com", 1, timeout=30)
    [message] = outbox(local_stack, "leaver-e2e@example.com")
    unsubscribe = message["List-Unsubscribe"].split(">")[0].lstrip("<")
    status, _, _ = fetch(
        unsubscribe, b"List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200

    [run] = eventually(lambda: executions(local_stack, welcome["id"], status="stopped"), timeout=20)
    assert "unsubscribed" in run["stopped_reason"]
    time.sleep(1)
    assert len(outbox(local_stack, "leaver-e2e@example.com")) == 1


def test_an_order_paid_stops_an_abandoned_cart_series_before_its_second_email(local_stack, series):
    cart = series("cart_abandoned", [0, 40])
    register(local_stack, "cart-e2e@example.com", "ca1")
    abandoned = {"cart_id": "cart-e2e", "email": "cart-e2e@example.com", "abandoned_at": "2026-11-20T10:00:00Z"}
    post_local(local_stack, "/local/events", {"detail-type": "cart.abandoned", "detail": abandoned})
    arrivals(local_stack, "cart-e2e@example.com", 1, timeout=30)
    paid = {
        "order_id": "o-cart-e2e",
        "email": "cart-e2e@example.com",
        "total": "30.00",
        "paid_at": "2026-11-20T11:00:00Z",
    }
    post_local(local_stack, "/local/events", {"detail-type": "order.paid", "detail": paid})

    [run] = eventually(lambda: executions(local_stack, cart["id"], status="stopped"), timeout=20)
    assert run["stopped_reason"] == "order o-cart-e2e paid"
    time.sleep(40 * HOUR + 1)
    assert len(outbox(local_stack, "cart-e2e@example.com")) == 1


def test_pausing_holds_the_series_until_it_is_activated_again(local_stack, series):
    welcome = series("user_registered", [0, 20])
    register(local_stack, "paused-e2e@example.com", "pa1")
    arrivals(local_stack, "paused-e2e@example.com", 1, timeout=30)
    assert mkt(local_stack, "automations", "pause", welcome["id"])["status"] == "paused"
    eventually(lambda: executions(local_stack, welcome["id"])[0]["held"], timeout=20)
    time.sleep(1)
    assert len(outbox(local_stack, "paused-e2e@example.com")) == 1

    mkt(local_stack, "automations", "activate", welcome["id"])
    arrivals(local_stack, "paused-e2e@example.com", 2, timeout=30)
    eventually(lambda: executions(local_stack, welcome["id"], status="completed"), timeout=20)
