"""Erasure and export reach what outlives the rest: the runs of an automation deleted since, and a
signup still waiting for its confirmation. Through the API handler, the state machine (moto) and
the automation worker."""

from __future__ import annotations

import boto3
import pytest

from tests.integration.api.test_do_not_email import erase
from tests.integration.api.test_signups import confirm, confirmation_token, contact_of, mail_to, sign_up
from tests.support.automations import automation, executions, publish, run_until, sent_to
from tests.support.campaigns import staff

HOUR_SECONDS = 0.02  # the first email at once; the second one, 500 hours later, is 10 s away


@pytest.fixture
def api(api_handler, monkeypatch):
    monkeypatch.setenv("AUTOMATION_HOUR_SECONDS", str(HOUR_SECONDS))
    return api_handler


def items(aws, table_env: str) -> list[dict]:
    return boto3.client("dynamodb").scan(TableName=aws[table_env])["Items"]


def test_the_run_of_a_deleted_automation_is_exported_then_erased_and_its_execution_stopped(aws, api):
    series = automation(api, "cart_abandoned", [0, 500])
    publish(aws, "user.registered", {"user_id": "u1", "email": "ada@example.com", "marketing_opt_in": True})
    cart = {"cart_id": "c1", "email": "ada@example.com", "cart_url": "https://shop.example/cart/c1"}
    publish(aws, "cart.abandoned", {**cart, "abandoned_at": "2026-11-20T10:00:00Z"})
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    [run] = executions(api, series["id"])
    assert run["status"] == "in_progress"  # waiting for its second email
    arn = items(aws, "AUTOMATION_EXECUTIONS_TABLE")[0]["execution_arn"]["S"]
    assert staff(api, "DELETE", f"/automations/{series['id']}/")[0] == 204

    status, exported = staff(api, "GET", f"/contacts/{run['contact_id']}/export/")
    assert status == 200, exported
    assert [(r["automation_id"], r["status"]) for r in exported["automation_executions"]] == [
        (series["id"], "in_progress")
    ]

    erase(api, run["contact_id"])
    assert items(aws, "AUTOMATION_EXECUTIONS_TABLE") == []  # the trigger key and the cart went with it
    assert boto3.client("stepfunctions").describe_execution(executionArn=arn)["status"] == "ABORTED"
    assert items(aws, "AUTOMATIONS_TABLE") == []  # stopping it counted nothing on the deleted automation


# Contacts compare addresses case-insensitively: a signup in other case is the same address.
@pytest.mark.parametrize("signed_up_as", ["ada@example.com", "Ada@example.com"])
def test_erasure_deletes_the_addresss_pending_signup_so_its_link_subscribes_nobody(aws, api_handler, signed_up_as):
    status, ada = staff(api_handler, "POST", "/contacts/", {"email": "ada@example.com", "first_name": "Ada"})
    assert status == 201, ada
    sign_up(api_handler, signed_up_as, first_name="Ada")
    sign_up(api_handler, "bo@example.com")  # someone else's signup stays
    token = confirmation_token(mail_to(signed_up_as)[0])

    erase(api_handler, ada["id"])
    status, _page = confirm(api_handler, token)
    assert status == 404  # as for an expired link: the erased person is not subscribed again
    assert contact_of(api_handler, "ada@example.com") is None
    assert [item["email"]["S"] for item in items(aws, "SIGNUPS_TABLE")] == ["bo@example.com"]
    assert confirm(api_handler, confirmation_token(mail_to("bo@example.com")[0]))[0] == 200


GREETING = {"recipient_name": "Ada", "sender_name": "Ann", "message": "For Ada, with love"}
PERSONAL = ("recipient_email", "recipient_name", "sender_name", "message")


def buy_card_for(aws, order_id: str, recipient: str) -> None:
    line = {"type": "gift_card", "unit_price": "25.00", "recipient_email": recipient, **GREETING}
    order = {"order_id": order_id, "email": "ann@example.com", "total": "25.00", "paid_at": "2026-11-20T10:00:00Z"}
    publish(aws, "order.paid", {**order, "line_items": [line]})


def stored_cards(aws) -> dict[str, dict]:
    return {item["id"]["S"]: item for item in items(aws, "GIFT_CARDS_TABLE")}


def test_the_gift_cards_addressed_to_a_contact_are_exported_then_keep_their_money_but_not_her_data(aws, api):
    from marketing.growth.store import gift_cards as card_store
    from tests.support.campaigns import outbox

    status, ada = staff(api, "POST", "/contacts/", {"email": "ada@example.com", "first_name": "Ada"})
    assert status == 201, ada
    buy_card_for(aws, "o-70", "Ada@example.com")  # the same address, as contacts compare them
    [mail] = [message for message in outbox() if str(message["To"]) == "Ada@example.com"]
    bought_code = mail.get_body(("plain",)).get_content().split("Your gift card code: ")[1].split()[0]
    status, given = staff(api, "POST", "/gift-cards/", {"amount": "40.00", "recipient_email": "ada@example.com"})
    assert status == 201, given
    buy_card_for(aws, "o-71", "bo@example.com")  # someone else's card keeps everything
    bought = next(card for card in staff(api, "GET", "/gift-cards/")[1]["items"] if card["order_id"] == "o-70")
    assert staff(api, "POST", f"/gift-cards/{bought['id']}/redeem/", {"amount": "5.00", "order_id": "o-80"})[0] == 200

    exported = staff(api, "GET", f"/contacts/{ada['id']}/export/")[1]
    cards = {card["id"]: card for card in exported["gift_cards"]}
    assert set(cards) == {bought["id"], given["id"]}
    assert {key: cards[bought["id"]][key] for key in (*PERSONAL, "balance", "status", "initial_balance")} == {
        "recipient_email": "Ada@example.com",
        **GREETING,
        "balance": "20.00",
        "status": "active",
        "initial_balance": "25.00",
    }
    assert (cards[given["id"]]["recipient_email"], cards[given["id"]]["message"]) == ("ada@example.com", None)
    ledgers = {card_id: staff(api, "GET", f"/gift-cards/{card_id}/")[1]["transactions"] for card_id in cards}

    erase(api, ada["id"])
    stored = stored_cards(aws)
    for card_id in cards:
        assert not set(PERSONAL) & set(stored[card_id]), stored[card_id]
        assert "ada" not in str(stored[card_id]).lower()
    assert stored[bought["id"]]["order_id"]["S"] == "o-70"
    assert set(PERSONAL) <= set(stored_cards(aws)[next(iter(set(stored) - set(cards)))])  # Bo's card
    for card_id, ledger in ledgers.items():
        detail = staff(api, "GET", f"/gift-cards/{card_id}/")[1]
        assert detail["transactions"] == ledger
        assert detail["recipient_email"] is None
    # Still redeemable by its code: the money is the card holder's, whoever she was.
    status, found = staff(api, "POST", "/gift-cards/lookup/", {"code": bought_code})
    assert (status, found["id"], found["balance"]) == (200, bought["id"], "20.00")
    status, spent = staff(api, "POST", f"/gift-cards/{bought['id']}/redeem/", {"amount": "20.00", "order_id": "o-81"})
    assert (status, spent["balance"]) == (200, "0.00")
    status, spent = staff(api, "POST", f"/gift-cards/{given['id']}/redeem/", {"amount": "40.00", "order_id": "o-82"})
    assert (status, spent["balance"]) == (200, "0.00")
    assert card_store.forget_recipient("ada@example.com") == 0  # idempotent: nothing is addressed to her now


def test_a_card_whose_email_was_still_to_go_when_its_recipient_was_erased_is_never_emailed(aws, api, monkeypatch):
    from marketing.aws.ses import SendRetryable
    from marketing.growth.services import gift_card_email
    from tests.support.campaigns import outbox

    def not_now(*_args):
        raise SendRetryable("throttled")

    status, ada = staff(api, "POST", "/contacts/", {"email": "ada@example.com", "first_name": "Ada"})
    assert status == 201, ada
    with monkeypatch.context() as patched:
        patched.setattr(gift_card_email, "send", not_now)  # SES took nothing: the event is to come again
        buy_card_for(aws, "o-90", "ada@example.com")
    [card] = staff(api, "GET", "/gift-cards/")[1]["items"]
    assert card["email_status"] == "pending"

    erase(api, ada["id"])
    buy_card_for(aws, "o-90", "ada@example.com")  # the order event redelivered: the card exists
    assert outbox() == []
    detail = staff(api, "GET", f"/gift-cards/{card['id']}/")[1]
    assert (detail["email_status"], detail["recipient_email"]) == ("not sent: recipient erased", None)
