"""The growth issue's checks, as a new user would make them on local mode: two customers with
tokens from `mkt-local token`, shop events on the local bus, the daily runs fired through
/local/schedules, gift cards made with the staff CLI and redeemed over HTTP, twenty at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from marketing_cli.client import ApiClient
from tests.e2e.test_audience import eventually, mkt, post_local, queue_idle
from tests.e2e.test_campaigns import outbox

pytestmark = pytest.mark.e2e


class Customer:
    def __init__(self, local_stack, user_id: str, email: str):
        self.user_id, self.email = user_id, email
        self._token = local_stack.customer_token(user_id, email)
        self._api = ApiClient(local_stack.api_url, None, "eu-west-2")

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = self._api.send(method, path, body, headers={"Authorization": f"Bearer {self._token}"}, sign=False)
        return response.status, response.body


def order_paid(local_stack, order_id: str, customer: Customer, total: str, **extra) -> None:
    detail = {
        "order_id": order_id,
        "email": customer.email,
        "user_id": customer.user_id,
        "total": total,
        "paid_at": "2026-11-25T12:00:00Z",
        **extra,
    }
    post_local(local_stack, "/local/events", {"detail-type": "order.paid", "detail": detail})


def settled(local_stack) -> bool:
    return queue_idle(local_stack, "shop-events")


def points(customer: Customer) -> int:
    status, account = customer.send("GET", "loyalty/account/")
    assert status == 200, account
    return account["balance"]


def test_a_referral_from_code_to_rewards_with_the_fraud_rules(local_stack):
    ann, ben = (
        Customer(local_stack, "e2e-ann", "e2e-ann@example.com"),
        Customer(local_stack, "e2e-ben", "e2e-ben@example.com"),
    )
    status, mine = ann.send("GET", "referrals/my-code/")
    assert status == 200, mine
    assert ann.send("GET", "referrals/my-code/")[1]["code"] == mine["code"]
    status, refused = ann.send("POST", "referrals/", {"code": mine["code"]})
    assert (status, refused["error"]["details"][0]["field"]) == (422, "code")  # no self-referral
    status, referral = ben.send("POST", "referrals/", {"code": mine["code"]})
    assert (status, referral["status"]) == (201, "pending")
    assert ben.send("POST", "referrals/", {"code": mine["code"]})[0] == 422  # one referral per referee

    order_paid(local_stack, "e2e-ben-1", ben, "60.00")
    eventually(lambda: ben.send("GET", "referrals/my-code/")[1]["referred_by"]["status"] == "completed")
    before = points(ann)
    for _ in range(2):  # the daily run, fired twice: rewards once
        post_local(local_stack, "/local/schedules?name=referral-rewards", {})
    assert points(ann) == before + 500
    rewarded = ben.send("GET", "referrals/my-code/")[1]["referred_by"]
    assert rewarded["referee_reward"]["discount_code"]
    assert rewarded["rewards_issued_at"]
    listed = mkt(local_stack, "referrals", "list", "--status", "completed")["items"]
    assert referral["id"] in {item["id"] for item in listed}


def test_points_once_per_order_redeem_limits_and_only_ones_own_account(local_stack):
    cat, dan = (
        Customer(local_stack, "e2e-cat", "e2e-cat@example.com"),
        Customer(local_stack, "e2e-dan", "e2e-dan@example.com"),
    )
    order_paid(local_stack, "e2e-cat-1", cat, "150.00")
    order_paid(local_stack, "e2e-cat-1", cat, "150.00")
    eventually(lambda: points(cat) == 150)
    eventually(lambda: settled(local_stack))
    assert points(cat) == 150  # the second delivery awarded nothing
    status, refused = cat.send("POST", "loyalty/redeem/", {"points": 151})
    assert (status, refused["error"]["code"]) == (422, "business_rule")
    status, redeemed = cat.send("POST", "loyalty/redeem/", {"points": 100, "order_id": "e2e-cat-2"})
    assert (status, redeemed["discount"], redeemed["balance"]) == (200, "1.00", 50)
    # Dan's token reads Dan's account; there is no customer route to anyone else's.
    assert points(dan) == 0
    assert dan.send("GET", "loyalty/accounts/e2e-cat/")[0] == 403
    assert dan.send("POST", "loyalty/accounts/e2e-dan/adjust/", {"points": 1000, "reason": "me"})[0] == 403
    adjusted = mkt(local_stack, "loyalty", "adjust", "e2e-cat", "--points", "25", "--reason", "Goodwill")
    assert adjusted["account"]["balance"] == 75


def test_twenty_concurrent_redemptions_never_overdraw_and_refunds_and_expiry_work(local_stack):
    card = mkt(local_stack, "gift-cards", "create", "--amount", "50.00")
    assert len(card["code"]) == 19
    staff = local_stack.staff()

    def redeem(index: int) -> int:
        body = {"amount": "5.00", "order_id": f"e2e-gc-{index}"}
        return staff.send("POST", f"gift-cards/{card['id']}/redeem/", body).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(redeem, range(20)))
    assert sorted(statuses) == [200] * 10 + [422] * 10
    shown = mkt(local_stack, "gift-cards", "show", card["id"])
    assert (shown["balance"], shown["status"]) == ("0.00", "redeemed")
    assert len([item for item in shown["transactions"] if item["type"] == "redemption"]) == 10

    paid_with = next(f"e2e-gc-{index}" for index, status in enumerate(statuses) if status == 200)
    refund = {"order_id": paid_with, "amount": "5.00", "refunded_at": "2026-11-26T12:00:00Z"}
    post_local(local_stack, "/local/events", {"detail-type": "order.refunded", "detail": refund})
    eventually(lambda: mkt(local_stack, "gift-cards", "show", card["id"])["balance"] == "5.00")

    expires = datetime.now(UTC) + timedelta(seconds=2)
    short = mkt(local_stack, "gift-cards", "create", "--amount", "10.00", "--expires-at", expires.isoformat())
    time.sleep(2.5)
    status = staff.send("POST", f"gift-cards/{short['id']}/redeem/", {"amount": "1.00", "order_id": "e2e-late"})
    assert (status.status, status.body["error"]["details"][0]["reason"]) == (422, "expired")
    post_local(local_stack, "/local/schedules?name=gift-card-expiry", {})
    assert mkt(local_stack, "gift-cards", "show", short["id"])["status"] == "expired"


def test_a_gift_card_bought_in_the_shop_is_emailed_with_a_code_that_redeems(local_stack):
    eve = Customer(local_stack, "e2e-eve", "e2e-eve@example.com")
    line = {
        "type": "gift_card",
        "unit_price": "30.00",
        "recipient_email": "e2e-friend@example.com",
        "sender_name": "Eve",
    }
    order_paid(local_stack, "e2e-eve-1", eve, "30.00", line_items=[line])
    [mail] = eventually(lambda: outbox(local_stack, "e2e-friend@example.com"))
    text = mail.get_body(("plain",)).get_content()
    code = text.split("Your gift card code: ")[1].split()[0]
    card = mkt(local_stack, "gift-cards", "lookup", code)
    assert (card["balance"], card["source"], card["order_id"]) == ("30.00", "purchase", "e2e-eve-1")
