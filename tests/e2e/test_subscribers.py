"""Subscribing and preferences as a shop's app does it: customer JWTs over HTTP on local mode."""

from __future__ import annotations

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
