"""A shop with automations, driven in-process: the API handler, shop events through the bus and
rule, and the automation state machine running in moto's threads, its sends drained by the worker."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import boto3

from marketing.catalog.topology import AUTOMATION_SENDS, EVENT_BUS_ENV, SES_EVENTS, SHOP_EVENTS, shop_event_entries
from tests.support.campaigns import outbox, staff
from tests.support.queues import deliver, receive

WORKERS = {
    SHOP_EVENTS: "workers.shop_events",
    AUTOMATION_SENDS: "workers.automation_delivery",
    SES_EVENTS: "workers.ses_events",
}
WELCOME = {
    "name": "Welcome",
    "category": "automation",
    "subject": "Welcome, {{ first_name }}",
    "html_content": '<p>Hi {{ first_name }}, <a href="https://shop.example/new">see what is new</a></p>',
}


def handler(queue) -> Any:
    return importlib.import_module(WORKERS[queue]).lambda_handler


def publish(resources: dict[str, str], detail_type: str, detail: dict[str, Any]) -> None:
    """Publishes a shop event and lets the shop-events worker handle what the rule delivered."""
    result = boto3.client("events").put_events(
        Entries=shop_event_entries([{"detail-type": detail_type, "detail": detail}], resources[EVENT_BUS_ENV])
    )
    assert result["FailedEntryCount"] == 0
    deliver(handler(SHOP_EVENTS), resources[SHOP_EVENTS.env_var])


def run_until(resources: dict[str, str], done: Callable[[], bool], timeout: float = 10.0) -> None:
    """Runs the automation and SES-event workers on what the state machines hand over until
    `done()` holds; fails after `timeout` seconds (state machine waits are real time)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("the automation did not get there in time")
        for queue in (AUTOMATION_SENDS, SES_EVENTS):
            messages = receive(resources[queue.env_var])
            if messages:
                deliver(handler(queue), resources[queue.env_var], messages)
        time.sleep(0.05)


def settle(resources: dict[str, str], seconds: float) -> None:
    """Runs the workers for `seconds`, whatever happens."""
    deadline = time.monotonic() + seconds
    run_until(resources, lambda: time.monotonic() > deadline, timeout=seconds + 5)


def sent_to(address: str) -> list[Any]:
    return [message for message in outbox() if message["To"] == address]


def automation(api, trigger: str, delays: list[int], **fields: Any) -> dict[str, Any]:
    """An active automation of `len(delays)` emails of the welcome template, subjects "Email n"."""
    status, template = staff(api, "POST", "/templates/", WELCOME)
    assert status == 201, template
    emails = [
        {"order": order, "delay_hours": delay, "template_id": template["id"], "subject": f"Email {order}"}
        for order, delay in enumerate(delays, start=1)
    ]
    status, created = staff(
        api, "POST", "/automations/", {"name": "Series", "trigger": trigger, "emails": emails, **fields}
    )
    assert status == 201, created
    status, activated = staff(api, "POST", f"/automations/{created['id']}/activate/")
    assert status == 200, activated
    return activated


def executions(api, automation_id: str, **query: str) -> list[dict[str, Any]]:
    status, page = staff(api, "GET", f"/automations/{automation_id}/executions/", query=query or None)
    assert status == 200, page
    return page["items"]
