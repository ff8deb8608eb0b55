"""Loyalty points through the API handler and the shop-events worker, on moto."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from marketing import clock
from marketing.audience.store import contacts as contact_store
from tests.support.automations import publish
from tests.support.campaigns import staff
from tests.support.events import Context, call, customer
from tests.support.growth import order_paid

ALICE = customer("user-alice", "alice@example.com")
BOB = customer("user-bob", "bob@example.com")


def paid(aws, order_id: str, total: str, user_id: str = "user-alice", email: str = "alice@example.com") -> None:
    order_paid(aws, order_id, total, user_id, email)


def refunded(aws, order_id: str, amount: str, refund_id: str | None = None) -> None:
    detail = {"order_id": order_id, "amount": amount, "refunded_at": "2026-11-21T10:00:00Z"}
    if refund_id:
        detail["refund_id"] = refund_id
    publish(aws, "order.refunded", detail)


def account(api_handler, who=ALICE) -> dict:
    status, body = call(api_handler, "GET", "/loyalty/account/", authorizer=who)
    assert status == 200, body
    return body


def history(api_handler, who=ALICE) -> list[dict]:
    return call(api_handler, "GET", "/loyalty/transactions/", authorizer=who)[1]["items"]


def test_an_order_earns_points_once_however_often_it_is_delivered(aws, api_handler):
    paid(aws, "o-1", "25.99")
    paid(aws, "o-1", "25.99")  # a redelivered event
    assert account(api_handler)["balance"] == 25  # floor(25.99 × 1)
    assert account(api_handler)["lifetime_points"] == 25
    [earned] = history(api_handler)
    assert (earned["type"], earned["points"], earned["order_id"]) == ("earned", 25, "o-1")
    assert account(api_handler, BOB)["balance"] == 0  # Bob sees his own (empty) account, not Alice's


def test_guest_orders_earn_nothing_and_the_rate_follows_the_program(aws, api_handler):
    publish(
        aws,
        "order.paid",
        {"order_id": "g-1", "email": "guest@example.com", "total": "80.00", "paid_at": "2026-11-20T10:00:00Z"},
    )
    status, program = staff(api_handler, "PATCH", "/loyalty/program/", {"points_per_unit": "2.5"})
    assert (status, program["points_per_unit"]) == (200, "2.5")
    paid(aws, "o-2", "10.00")
    assert account(api_handler)["balance"] == 25


def test_redeeming_turns_points_into_a_discount_and_never_overdraws(aws, api_handler):
    paid(aws, "o-1", "300.00")
    status, refused = call(api_handler, "POST", "/loyalty/redeem/", {"points": 301}, authorizer=ALICE)
    assert status == 422
    assert refused["error"]["details"][0]["field"] == "points"
    status, redemption = call(
        api_handler, "POST", "/loyalty/redeem/", {"points": 250, "order_id": "o-9"}, authorizer=ALICE
    )
    assert status == 200, redemption
    assert (redemption["discount"], redemption["currency"], redemption["balance"]) == ("2.50", "GBP", 50)
    again = call(api_handler, "POST", "/loyalty/redeem/", {"points": 250, "order_id": "o-9"}, authorizer=ALICE)[1]
    assert again["transaction"]["id"] == redemption["transaction"]["id"]
    assert account(api_handler)["balance"] == 50  # the same order redeemed once
    status, other = call(api_handler, "POST", "/loyalty/redeem/", {"points": 200, "order_id": "o-9"}, authorizer=ALICE)
    assert (status, other["error"]["details"][0]["field"]) == (409, "order_id")
    assert call(api_handler, "POST", "/loyalty/redeem/", {"points": 50}, authorizer=ALICE)[0] == 400  # below minimum
    assert call(api_handler, "POST", "/loyalty/redeem/", {"points": "lots"}, authorizer=ALICE)[0] == 400


def test_a_refund_reverses_the_refunded_share_and_records_what_was_already_spent(aws, api_handler):
    paid(aws, "o-1", "200.00")
    refunded(aws, "o-1", "50.00", "r-1")
    refunded(aws, "o-1", "50.00", "r-1")  # redelivered: reversed once
    assert account(api_handler)["balance"] == 150
    call(api_handler, "POST", "/loyalty/redeem/", {"points": 120}, authorizer=ALICE)
    refunded(aws, "o-1", "150.00", "r-2")  # 150 points to take back, 30 left
    assert account(api_handler)["balance"] == 0
    reversal = next(item for item in history(api_handler) if item["type"] == "adjusted" and item["shortfall"])
    assert (reversal["points"], reversal["shortfall"]) == (-30, 120)
    entries = history(api_handler)
    assert sum(item["points"] for item in entries) == account(api_handler)["balance"]


def test_a_retried_redemption_with_its_key_redeems_once(aws, api_handler):
    paid(aws, "o-2", "300.00")
    body = {"points": 100, "idempotency_key": "checkout-42"}
    first = call(api_handler, "POST", "/loyalty/redeem/", body, authorizer=ALICE)
    again = call(api_handler, "POST", "/loyalty/redeem/", body, authorizer=ALICE)  # the client's retry
    assert (first[0], again[0]) == (200, 200)
    assert again[1]["transaction"]["id"] == first[1]["transaction"]["id"]
    assert account(api_handler)["balance"] == 200
    status, refused = call(api_handler, "POST", "/loyalty/redeem/", {**body, "points": 150}, authorizer=ALICE)
    assert (status, refused["error"]["details"][0]["field"]) == (409, "idempotency_key")
    call(api_handler, "POST", "/loyalty/redeem/", {"points": 100}, authorizer=ALICE)  # no key: a new redemption
    assert account(api_handler)["balance"] == 100


def test_staff_adjust_with_a_reason_and_cannot_go_below_zero(aws, api_handler):
    status, adjusted = staff(
        api_handler,
        "POST",
        "/loyalty/accounts/user-bob/adjust/",
        {"points": 40, "reason": "Sorry for the delay", "idempotency_key": "ticket-7"},
    )
    assert status == 200, adjusted
    assert (adjusted["account"]["balance"], adjusted["transaction"]["reason"]) == (40, "Sorry for the delay")
    staff(
        api_handler,
        "POST",
        "/loyalty/accounts/user-bob/adjust/",
        {"points": 40, "reason": "Sorry for the delay", "idempotency_key": "ticket-7"},
    )
    assert staff(api_handler, "GET", "/loyalty/accounts/user-bob/")[1]["balance"] == 40
    status, refused = staff(api_handler, "POST", "/loyalty/accounts/user-bob/adjust/", {"points": -41, "reason": "x"})
    assert status == 422, refused
    assert staff(api_handler, "POST", "/loyalty/accounts/user-bob/adjust/", {"points": 5})[0] == 400  # no reason
    # Customers reach only their own account, never the staff routes.
    assert call(api_handler, "GET", "/loyalty/accounts/user-bob/", authorizer=ALICE)[0] == 403
    assert (
        call(
            api_handler, "POST", "/loyalty/accounts/user-alice/adjust/", {"points": 5, "reason": "x"}, authorizer=ALICE
        )[0]
        == 403
    )
    assert call(api_handler, "GET", "/loyalty/account/")[0] in (401, 403)


def test_points_of_inactive_accounts_expire_in_the_daily_run(aws, api_handler, monkeypatch):
    paid(aws, "o-1", "70.00")
    staff(api_handler, "PATCH", "/loyalty/program/", {"expiry_months": 1})
    expiry = importlib.import_module("schedules.points_expiry").lambda_handler
    assert "0 points" in expiry({}, Context())["result"]  # active within the month: nothing expires
    later = clock.utcnow() + timedelta(days=31)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert expiry({}, Context())["result"] == "70 points of 1 inactive accounts expired"
    assert expiry({}, Context())["result"] == "0 points of 0 inactive accounts expired"  # once
    assert account(api_handler)["balance"] == 0
    assert history(api_handler)[0]["type"] == "expired"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"redemption_rate": 0}, "redemption_rate"),
        ({"points_per_unit": 1.5}, "points_per_unit"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_program_settings_are_400_with_the_field(api_handler, patch, field):
    status, body = staff(api_handler, "PATCH", "/loyalty/program/", patch)
    assert status == 400, body
    assert field in str(body["error"])


def test_export_holds_the_account_and_erasure_removes_it(aws, api_handler):
    paid(aws, "o-1", "42.00")
    call(api_handler, "GET", "/referrals/my-code/", authorizer=ALICE)
    contact = contact_store.find_by_email("alice@example.com")
    exported = staff(api_handler, "GET", f"/contacts/{contact.id}/export/")[1]
    assert exported["loyalty_account"]["balance"] == 42
    assert [item["points"] for item in exported["loyalty_transactions"]] == [42]
    assert staff(api_handler, "DELETE", f"/contacts/{contact.id}/")[0] == 204
    after = account(api_handler)
    assert (after["balance"], after["lifetime_points"], after["created_at"]) == (0, 0, None)
    assert history(api_handler) == []
