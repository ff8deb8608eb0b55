"""The double opt-in link in a real browser (issue 19): the page's script confirms for the person
who clicked, as fetching the page alone does not (tests/e2e/test_signup.py)."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.test_campaigns import outbox

pytestmark = pytest.mark.e2e


def test_one_click_in_the_email_confirms_in_a_browser(page, local_stack):
    address = "eve-browser@example.com"
    request = urllib.request.Request(
        f"{local_stack.api_url}/signup/",
        data=json.dumps({"email": address, "wording_version": "2026-11"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 202
    (email,) = outbox(local_stack, address)
    (link,) = re.findall(r"\S+/signup/confirm/\?token=\S+", email.get_body(("plain",)).get_content())

    page.goto(link)  # her click in the email: the page submits itself
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    (contact,) = local_stack.staff().call("GET", "contacts/", query={"email": address})["items"]
    assert contact["subscription_status"] == "subscribed"
    page.goto(link)  # again: still subscribed, nothing new
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    entries = local_stack.staff().call("GET", f"contacts/{contact['id']}/consents/")["items"]
    assert [entry["event"] for entry in entries] == ["confirmed", "signup"]
