"""Subscribing and preferences as a shop's app does it: customer JWTs over HTTP on local mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from marketing_cli.client import ApiClient

pytestmark = pytest.mark.e2e


def test_two_customers_each_see_only_their_own_preferences(local_stack):
    app = ApiClient(local_stack.api_url, None, "eu-west-2")
    carol = {"Authorization": f"Bearer {local_stack.customer_token('u-carol', 'carol@example.com')}"}
    dave = {"Authorization": f"Bearer {local_stack.customer_token('u-dave', 'dave@example.com')}"}
    created = app.send("POST", "subscribers/", {"preferences": {"promotional": False}}, headers=carol)
    assert created.status == 201, created.body
    assert app.send("GET", "subscribers/me/preferences/", headers=dave).status == 404
    own = app.send("GET", "subscribers/me/preferences/", headers=carol)
    assert (own.status, own.body["promotional"]) == (200, False)
    assert app.send("GET", f"subscribers/{created.body['id']}/", headers=dave).status == 403
    staff_view = local_stack.staff().call("GET", f"subscribers/{created.body['id']}/")
    assert staff_view["email"] == "carol@example.com"


def test_the_staff_cli_lists_and_unsubscribes(local_stack):
    token = local_stack.customer_token("u-erin", "erin@example.com")
    erin = (
        ApiClient(local_stack.api_url, None, "eu-west-2")
        .send("POST", "subscribers/", {}, headers={"Authorization": f"Bearer {token}"})
        .body
    )
    mkt = [str(Path(sys.executable).parent / "mkt"), "--local", "--api-url", local_stack.api_url, "subscribers"]

    def run(*args: str) -> dict:
        return json.loads(subprocess.run([*mkt, *args], capture_output=True, text=True, check=True).stdout)

    assert run("unsubscribe", erin["id"])["status"] == "unsubscribed"
    listed = run("list", "--status", "unsubscribed", "--limit", "100")
    assert erin["id"] in [item["id"] for item in listed["items"]]
