"""Referrals through the API handler, the shop-events worker and the daily reward run, on moto."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from marketing import clock
from tests.support.campaigns import staff
from tests.support.events import Context, call, customer
from tests.support.growth import order_paid

ANN = customer("user-ann", "ann@example.com")  # the referrer
BEN = customer("user-ben", "ben@example.com")  # the friend she refers


@pytest.fixture
def reward_run(aws):
    handler = importlib.import_module("schedules.referral_rewards").lambda_handler
    return lambda: handler({}, Context())["result"]


def my_code(api_handler, who=ANN) -> dict:
    status, body = call(api_handler, "GET", "/referrals/my-code/", authorizer=who)
    assert status == 200, body
    return body


def apply(api_handler, code: str, who=BEN) -> tuple[int, dict]:
    return call(api_handler, "POST", "/referrals/", {"code": code}, authorizer=who)


def paid(aws, order_id: str, total: str, user_id: str = "user-ben", email: str = "ben@example.com") -> None:
    order_paid(aws, order_id, total, user_id, email)


def points(api_handler, who) -> int:
    return call(api_handler, "GET", "/loyalty/account/", authorizer=who)[1]["balance"]


def test_a_customers_code_is_made_once_and_stays(api_handler):
    code = my_code(api_handler)["code"]
    assert code.startswith("REF-")
    assert my_code(api_handler)["code"] == code
    assert my_code(api_handler, BEN)["code"] != code


def test_a_referral_completes_on_a_qualifying_order_and_rewards_both_sides_once(aws, api_handler, reward_run):
    code = my_code(api_handler)["code"]
    status, referral = apply(api_handler, code.lower())
    assert status == 201, referral
    assert (referral["status"], referral["code"]) == ("pending", code)
    paid(aws, "o-1", "19.99")  # below the 20.00 minimum: still pending
    assert my_code(api_handler, BEN)["referred_by"]["status"] == "pending"
    paid(aws, "o-2", "20.00")
    paid(aws, "o-2", "20.00")  # redelivered
    completed = my_code(api_handler)["referrals"][0]
    assert (completed["status"], completed["rewards_issued_at"]) == ("completed", None)
    before = points(api_handler, ANN)
    assert reward_run() == "1 referral(s) rewarded, 0 pending referral(s) expired"
    assert reward_run() == "0 referral(s) rewarded, 0 pending referral(s) expired"
    assert points(api_handler, ANN) == before + 500  # the default referrer reward, once
    rewarded = my_code(api_handler, BEN)["referred_by"]
    assert rewarded["referee_reward"]["type"] == "discount_percent"
    assert rewarded["referee_reward"]["discount_code"].startswith("REWARD-")
    assert rewarded["rewards_issued_at"]
    listed = staff(api_handler, "GET", "/referrals/", query={"status": "completed"})[1]["items"]
    assert [(item["id"], item["order_id"]) for item in listed] == [(referral["id"], "o-2")]  # staff see it all


def test_each_customer_sees_only_their_own_side_of_a_referral(aws, api_handler, reward_run):
    """Ann's view of the referral she made holds nothing of Ben's (his address, his order, his
    single-use discount code, which she could spend first), and Ben's nothing of Ann's."""
    apply(api_handler, my_code(api_handler)["code"])
    paid(aws, "o-7", "25.00")
    reward_run()
    ann_sees = my_code(api_handler)["referrals"][0]
    ben_sees = my_code(api_handler, BEN)["referred_by"]
    ben_code = ben_sees["referee_reward"]["discount_code"]
    assert ann_sees["status"] == ben_sees["status"] == "completed"
    assert ann_sees["referrer_reward"]["type"] == "points"
    for leaked in ("referee_email", "referee_user_id", "order_id", "referee_reward"):
        assert leaked not in ann_sees
    for leaked in ("referrer_user_id", "referee_email", "order_id", "referrer_reward"):
        assert leaked not in ben_sees
    assert "ben@example.com" not in str(ann_sees)
    assert ben_code not in str(my_code(api_handler))


def test_fraud_rules(aws, api_handler):
    code = my_code(api_handler)["code"]
    status, refused = apply(api_handler, code, ANN)
    assert (status, refused["error"]["details"][0]["field"]) == (422, "code")
    assert apply(api_handler, code, customer("user-ann-2", "ANN@example.com"))[0] == 422  # same address, new account
    assert apply(api_handler, "REF-0000-0000-0000-0")[0] == 404
    paid(aws, "o-9", "30.00", "user-cat", "cat@example.com")
    assert apply(api_handler, code, customer("user-cat", "cat@example.com"))[0] == 422  # ordered before
    # ... and with an unverified claim of a fresh address, who ordered before cannot be told
    status, refused = apply(api_handler, code, customer("user-cat", "fresh@example.com", verified=False))
    assert (status, refused["error"]["details"][0]["field"]) == (422, "code")
    assert "verify your email address" in refused["error"]["details"][0]["reason"]
    assert apply(api_handler, code)[0] == 201
    assert (
        apply(api_handler, my_code(api_handler, customer("user-dan", "dan@example.com"))["code"])[0] == 422
    )  # one each
    assert call(api_handler, "GET", "/referrals/", authorizer=BEN)[0] == 403


def test_pending_referrals_expire(aws, api_handler, reward_run, monkeypatch):
    staff(api_handler, "PATCH", "/referrals/program/", {"expiry_days": 7})
    apply(api_handler, my_code(api_handler)["code"])
    later = clock.utcnow() + timedelta(days=8)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert reward_run() == "0 referral(s) rewarded, 1 pending referral(s) expired"
    paid(aws, "o-1", "50.00")  # too late
    assert my_code(api_handler, BEN)["referred_by"]["status"] == "expired"


def test_program_settings(api_handler):
    status, program = staff(
        api_handler,
        "PATCH",
        "/referrals/program/",
        {"referee_reward": {"type": "discount_fixed", "value": "5.00"}, "min_purchase_amount": "30.00"},
    )
    assert status == 200, program
    assert (program["referee_reward"], program["min_purchase_amount"]) == (
        {"type": "discount_fixed", "value": "5.00"},
        "30.00",
    )
    bad = staff(
        api_handler, "PATCH", "/referrals/program/", {"referrer_reward": {"type": "discount_percent", "value": "150"}}
    )
    assert bad[0] == 400
    assert staff(api_handler, "GET", "/referrals/program/")[1]["min_purchase_amount"] == "30.00"
