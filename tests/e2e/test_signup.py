"""The public signup form's double opt-in over real HTTP on local mode, as a shop's website and a
visitor's mail client use it (issue 19)."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.e2e.test_campaigns import fetch, outbox

pytestmark = pytest.mark.e2e


def test_a_visitor_signs_up_a_scanner_confirms_nothing_and_her_click_does(local_stack):
    def sign_up(address: str) -> tuple[int, bytes]:
        body = {"email": address, "form_id": "footer", "page": "https://shop.example/", "wording_version": "2026-11"}
        status, _, answer = fetch(
            f"{local_stack.api_url}/signup/",
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "User-Agent": "Visitor/1.0"},
        )
        return status, answer

    first = sign_up("dora-e2e@example.com")
    assert first[0] == 202
    (email,) = outbox(local_stack, "dora-e2e@example.com")
    assert "List-Unsubscribe" not in email
    assert "/track/" not in email.as_string()
    (link,) = re.findall(r"\S+/signup/confirm/\?token=\S+", email.get_body(("plain",)).get_content())

    with urllib.request.urlopen(link) as page:  # a mail scanner fetches the link
        assert b"Confirm your subscription" in page.read()
    staff = local_stack.staff()
    assert staff.call("GET", "contacts/", query={"email": "dora-e2e@example.com"})["items"] == []

    form = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Dora's browser"}
    status, _, page = fetch(link, b"confirm=yes", form)  # the page's script submits its form, for her
    assert (status, b"You are subscribed" in page) == (200, True)
    (contact,) = staff.call("GET", "contacts/", query={"email": "dora-e2e@example.com"})["items"]
    assert contact["subscription_status"] == "subscribed"
    confirmed, signup = staff.call("GET", f"contacts/{contact['id']}/consents/")["items"]
    assert (signup["event"], signup["user_agent"], signup["wording_version"]) == ("signup", "Visitor/1.0", "2026-11")
    assert (confirmed["event"], confirmed["user_agent"]) == ("confirmed", "Dora's browser")
    assert signup["ip_address"] == confirmed["ip_address"] == "127.0.0.1"

    assert sign_up("dora-e2e@example.com") == first  # a known address: the same answer
