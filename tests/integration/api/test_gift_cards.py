"""Gift cards through the API handler and the shop-events worker, on moto."""

from __future__ import annotations

import importlib
from datetime import timedelta

import boto3

from marketing import clock
from marketing.growth.codes import normalise
from tests.support.automations import publish
from tests.support.campaigns import outbox, staff
from tests.support.events import Context, call, customer


def create(api_handler, amount: str = "50.00", **fields) -> dict:
    status, card = staff(api_handler, "POST", "/gift-cards/", {"amount": amount, **fields})
    assert status == 201, card
    return card


def redeem(api_handler, card_id: str, amount: str, order_id: str) -> tuple[int, dict]:
    return staff(api_handler, "POST", f"/gift-cards/{card_id}/redeem/", {"amount": amount, "order_id": order_id})


def test_the_code_is_shown_once_and_never_stored(aws, api_handler):
    card = create(api_handler, note="Prize draw")
    code = card["code"]
    assert len(normalise(code)) == 16  # 80 bits, in four groups of four
    assert code.count("-") == 3
    assert (card["balance"], card["status"], card["code_hint"]) == ("50.00", "active", code[-4:])
    detail = staff(api_handler, "GET", f"/gift-cards/{card['id']}/")[1]
    assert "code" not in detail
    assert [(item["type"], item["amount"]) for item in detail["transactions"]] == [("purchase", "50.00")]
    stored = boto3.client("dynamodb").scan(TableName=aws["GIFT_CARDS_TABLE"])["Items"]
    assert normalise(code) not in str(stored).upper().replace("-", "")
    # The checkout finds the card by its code however the customer typed it.
    status, found = staff(api_handler, "POST", "/gift-cards/lookup/", {"code": code.lower().replace("-", " ")})
    assert (status, found["id"]) == (200, card["id"])
    assert staff(api_handler, "GET", "/gift-cards/")[1]["items"][0]["id"] == card["id"]


def test_redeeming_is_partial_once_per_order_and_never_overdraws(aws, api_handler):
    card = create(api_handler)
    status, first = redeem(api_handler, card["id"], "20.00", "o-1")
    assert (status, first["balance"], first["amount"]) == (200, "30.00", "20.00")
    status, again = redeem(api_handler, card["id"], "20.00", "o-1")
    assert (status, again["transaction"]["id"], again["balance"]) == (200, first["transaction"]["id"], "30.00")
    assert redeem(api_handler, card["id"], "25.00", "o-1")[0] == 409  # same order, another amount
    status, refused = redeem(api_handler, card["id"], "30.01", "o-2")
    assert status == 422
    assert refused["error"]["details"][0]["field"] == "amount"
    assert redeem(api_handler, card["id"], "30.00", "o-2")[1]["balance"] == "0.00"
    detail = staff(api_handler, "GET", f"/gift-cards/{card['id']}/")[1]
    assert detail["status"] == "redeemed"
    assert sum(float(item["amount"]) for item in detail["transactions"]) == 0.0
    assert redeem(api_handler, card["id"], 5.5, "o-3")[0] == 400  # a JSON number is refused, not rounded
    assert (
        call(
            api_handler,
            "POST",
            f"/gift-cards/{card['id']}/redeem/",
            {"amount": "1.00", "order_id": "x"},
            authorizer=customer(),
        )[0]
        == 403
    )


def test_a_refund_restores_the_card_once_and_never_above_its_initial_amount(aws, api_handler):
    card = create(api_handler, "40.00")
    redeem(api_handler, card["id"], "30.00", "o-7")
    publish(
        aws,
        "order.paid",
        {"order_id": "o-7", "email": "ann@example.com", "total": "45.00", "paid_at": "2026-11-20T10:00:00Z"},
    )
    refund = {"order_id": "o-7", "refund_id": "r-1", "amount": "45.00", "refunded_at": "2026-11-21T10:00:00Z"}
    publish(aws, "order.refunded", refund)
    publish(aws, "order.refunded", refund)  # redelivered
    detail = staff(api_handler, "GET", f"/gift-cards/{card['id']}/")[1]
    assert detail["balance"] == "40.00"  # 30.00 back (what the card paid), not 45.00
    assert [item["type"] for item in detail["transactions"]].count("refund") == 1


def test_two_partial_refunds_give_back_what_the_card_paid_once_even_where_the_index_lags(aws, api_handler, monkeypatch):
    from marketing.growth.store.gift_cards import GiftCardEntryRecord

    card = create(api_handler, "200.00")
    redeem(api_handler, card["id"], "50.00", "o-a")
    redeem(api_handler, card["id"], "150.00", "o-b")
    paid = {"email": "ann@example.com", "total": "100.00", "paid_at": "2026-11-20T10:00:00Z"}
    publish(aws, "order.paid", {"order_id": "o-a", **paid})
    # The index of entries by order shows nothing newer than the redemption: the refund below is
    # not in it yet when the second refund comes, as a GSI can lag behind its table.
    stale = list(GiftCardEntryRecord.by_order.query("o-a"))
    refund = {"order_id": "o-a", "amount": "50.00", "refunded_at": "2026-11-21T10:00:00Z"}
    publish(aws, "order.refunded", {**refund, "refund_id": "r-1"})
    monkeypatch.setattr(GiftCardEntryRecord.by_order, "query", lambda *args, **kwargs: iter(stale))
    publish(aws, "order.refunded", {**refund, "refund_id": "r-2"})
    detail = staff(api_handler, "GET", f"/gift-cards/{card['id']}/")[1]
    assert detail["balance"] == "50.00"  # the 50.00 order A took, back once; the rest is the shop's to pay


def test_refunds_racing_on_one_order_cannot_both_give_back_what_it_took(aws, api_handler):
    from decimal import Decimal

    from marketing.growth.store import gift_cards as card_store
    from marketing.growth.store.ledger import Posting

    card = create(api_handler, "80.00")
    redeem(api_handler, card["id"], "30.00", "o-c")
    redeem(api_handler, card["id"], "50.00", "o-d")
    held = card_store.get(card["id"])
    read_by_both = card_store.paid_with(card["id"], "o-c")  # two workers read before either writes
    now = clock.utcnow()
    assert card_store.refund(held, "r-1", "o-c", Decimal("30.00"), read_by_both, now) is Posting.APPLIED
    assert card_store.refund(held, "r-2", "o-c", Decimal("30.00"), read_by_both, now) is Posting.REFUSED
    assert card_store.paid_with(card["id"], "o-c").refundable == 0
    assert staff(api_handler, "GET", f"/gift-cards/{card['id']}/")[1]["balance"] == "30.00"


def test_expired_cards_cannot_be_redeemed_and_the_daily_run_marks_them(aws, api_handler, monkeypatch):
    soon = clock.utcnow() + timedelta(days=1)
    card = create(api_handler, expires_at=soon.isoformat())
    assert (
        staff(api_handler, "POST", "/gift-cards/", {"amount": "5.00", "expires_at": "2020-01-01T00:00:00Z"})[0] == 422
    )
    later = soon + timedelta(seconds=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    status, refused = redeem(api_handler, card["id"], "1.00", "o-1")  # past expiry, before the run marks it
    assert (status, refused["error"]["details"][0]["reason"]) == (422, "expired")
    expiry = importlib.import_module("schedules.gift_card_expiry").lambda_handler
    assert expiry({}, Context())["result"] == "1 gift card(s) expired"
    assert expiry({}, Context())["result"] == "0 gift card(s) expired"
    assert staff(api_handler, "GET", f"/gift-cards/{card['id']}/")[1]["status"] == "expired"


def test_a_disabled_card_cannot_be_redeemed(aws, api_handler):
    card = create(api_handler)
    status, disabled = staff(api_handler, "POST", f"/gift-cards/{card['id']}/disable/")
    assert (status, disabled["status"], disabled["balance"]) == (200, "disabled", "50.00")
    status, refused = redeem(api_handler, card["id"], "1.00", "o-1")
    assert (status, refused["error"]["details"][0]["reason"]) == (422, "disabled")
    assert staff(api_handler, "POST", f"/gift-cards/{card['id']}/disable/")[0] == 422
    assert staff(api_handler, "POST", "/gift-cards/gc_missing/disable/")[0] == 404


def test_guessing_codes_or_ids_is_rate_limited_per_caller(aws, api_handler):
    card = create(api_handler)
    for attempt in range(10):
        assert staff(api_handler, "POST", "/gift-cards/lookup/", {"code": f"AAAA-BBBB-CCCC-{attempt:04d}"})[0] == 404
    assert staff(api_handler, "POST", "/gift-cards/lookup/", {"code": card["code"]})[0] == 429
    assert redeem(api_handler, card["id"], "1.00", "o-1")[0] == 429


def test_bought_gift_cards_are_created_and_emailed_once(aws, api_handler, monkeypatch):
    monkeypatch.setenv("TRANSACTIONAL_SENDER_ADDRESS", "orders@shop.example")  # apart from marketing's sender
    order = {
        "order_id": "o-55",
        "email": "buyer@example.com",
        "total": "60.00",
        "paid_at": "2026-11-20T10:00:00Z",
        "line_items": [
            {"sku": "mug", "unit_price": "10.00"},
            {
                "type": "gift_card",
                "unit_price": "25.00",
                "quantity": 2,
                "recipient_email": "friend@example.com",
                "recipient_name": "Sam",
                "sender_name": "Ann",
                "message": "Happy birthday",
            },
        ],
    }
    publish(aws, "order.paid", order)
    publish(aws, "order.paid", order)  # redelivered: no more cards, no more emails
    cards = [card for card in staff(api_handler, "GET", "/gift-cards/")[1]["items"] if card["order_id"] == "o-55"]
    assert len(cards) == 2
    assert {(card["balance"], card["source"], card["email_status"]) for card in cards} == {
        ("25.00", "purchase", "sent")
    }
    mails = [message for message in outbox() if message["To"] == "friend@example.com"]
    assert len(mails) == 2
    text = mails[0].get_body(("plain",)).get_content()
    assert "Happy birthday" in text
    assert "Ann sent you" in text
    assert (str(mails[0]["From"]), mails[0]["Reply-To"]) == ("our shop <orders@shop.example>", "orders@shop.example")
    assert mails[0]["List-Id"] is None  # transactional: no list
    assert mails[0]["Feedback-ID"] is None
    code = text.split("Your gift card code: ")[1].split()[0]
    found = staff(api_handler, "POST", "/gift-cards/lookup/", {"code": code})[1]
    assert found["id"] in {card["id"] for card in cards}


def test_a_card_for_an_erased_address_that_bounced_is_not_emailed_but_an_opt_out_does_not_stop_it(aws, api_handler):
    """Transactional mail ignores opt-outs, never suppression: a bounce or complaint kept on the
    do-not-email list after its contact was erased still stops a gift card's email."""
    for address, status in (("bounced@example.com", "bounced"), ("left@example.com", "unsubscribed")):
        who = customer(address.split("@")[0], address)
        subscriber = call(api_handler, "POST", "/subscribers/", {}, authorizer=who)[1]
        assert staff(api_handler, "PATCH", f"/subscribers/{subscriber['id']}/", {"status": status})[0] == 200
        assert staff(api_handler, "DELETE", f"/contacts/{subscriber['contact_id']}/")[0] == 204
    line = {"type": "gift_card", "unit_price": "10.00"}
    order = {"email": "buyer@example.com", "total": "20.00", "paid_at": "2026-11-20T10:00:00Z"}
    publish(
        aws,
        "order.paid",
        {**order, "order_id": "o-60", "line_items": [{**line, "recipient_email": "bounced@example.com"}]},
    )
    publish(
        aws,
        "order.paid",
        {**order, "order_id": "o-61", "line_items": [{**line, "recipient_email": "left@example.com"}]},
    )
    cards = {card["order_id"]: card for card in staff(api_handler, "GET", "/gift-cards/")[1]["items"]}
    assert cards["o-60"]["email_status"] == "not sent: address bounced"
    assert cards["o-61"]["email_status"] == "sent"
    assert [str(message["To"]) for message in outbox()] == ["left@example.com"]
