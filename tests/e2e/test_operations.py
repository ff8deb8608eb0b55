"""The operations issue's checks on local mode: the first-run bootstrap, run twice; the gateway's
per-route throttle answering 429."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from marketing_cli.client import ApiClient
from tests.e2e.test_audience import mkt

pytestmark = pytest.mark.e2e


def test_bootstrap_twice_leaves_one_of_each(local_stack):
    first = mkt(local_stack, "bootstrap")
    assert "segments/All Customers" in first["created"]
    assert {"loyalty/program/", "referrals/program/"} <= set(first["created"]) | set(first["existing"])
    second = mkt(local_stack, "bootstrap")
    assert second["created"] == []
    assert sorted(second["existing"]) == sorted(first["created"] + first["existing"])
    staff = local_stack.staff()
    segments = [
        item
        for item in staff.call("GET", "segments/", query={"limit": 100})["items"]
        if item["name"] == "All Customers"
    ]
    assert len(segments) == 1
    assert segments[0]["type"] == "dynamic"
    automations = {item["name"]: item for item in staff.call("GET", "automations/", query={"limit": 100})["items"]}
    assert (automations["Welcome series"]["status"], automations["Abandoned cart"]["status"]) == ("paused", "paused")
    assert [email["delay_hours"] for email in automations["Welcome series"]["emails"]] == [0, 24, 72]
    templates = [item["name"] for item in staff.call("GET", "templates/", query={"limit": 100})["items"]]
    assert len([name for name in templates if name.endswith("(starter)")]) == 6
    assert staff.call("GET", "loyalty/program/")["updated_at"] is not None


def test_a_route_past_its_rate_gets_429_from_the_gateway(local_stack):
    token = local_stack.customer_token("e2e-throttled", "e2e-throttled@example.com")
    customer = ApiClient(local_stack.api_url, None, "eu-west-2")

    def apply_code(_: int) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return customer.send("POST", "referrals/", {"code": "REF-0000-0000-0000"}, headers=headers, sign=False).status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(apply_code, range(200)))
    # A code-taking route: 20/s with a burst of 40. Unknown codes are 404s; the rest are refused.
    assert statuses.count(404) >= 40
    assert statuses.count(429) > 0
    assert set(statuses) <= {404, 429}
