from __future__ import annotations

from tests.support.events import STAFF, call, customer


def test_a_customer_sees_their_own_identity(api_handler):
    status, body = call(api_handler, "GET", "/me/", authorizer=customer("u-42", "u42@example.com"))
    assert status == 200
    assert body == {"user_id": "u-42", "email": "u42@example.com"}


def test_staff_and_anonymous_callers_are_refused(api_handler):
    assert call(api_handler, "GET", "/me/", authorizer=STAFF)[0] == 403
    assert call(api_handler, "GET", "/me/")[0] == 403
