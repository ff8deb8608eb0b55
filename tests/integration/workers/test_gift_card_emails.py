"""A bought gift card's email, sent by the shop-events worker once: a failure before SES was asked
gives the claim back for the event's redelivery; an answer SES never gave keeps it."""

from __future__ import annotations

from marketing.aws.ses import SendOutcomeUnknown
from marketing.email.services import suppression
from marketing.growth.services import gift_card_email
from tests.support.automations import publish
from tests.support.campaigns import outbox, staff

ORDER = {
    "email": "buyer@example.com",
    "total": "25.00",
    "paid_at": "2026-11-20T10:00:00Z",
    "line_items": [{"type": "gift_card", "unit_price": "25.00", "recipient_email": "friend@example.com"}],
}


def cards_of(api_handler, order_id: str) -> list[dict]:
    return [card for card in staff(api_handler, "GET", "/gift-cards/")[1]["items"] if card["order_id"] == order_id]


def test_a_failure_before_ses_was_asked_leaves_the_card_to_be_emailed_by_the_redelivery(aws, api_handler, monkeypatch):
    real_check = suppression.transactional_suppression

    def unavailable(address: str):
        raise ConnectionError("DynamoDB could not be reached")

    monkeypatch.setattr(suppression, "transactional_suppression", unavailable)
    publish(aws, "order.paid", {"order_id": "o-70", **ORDER})  # fails: SQS keeps the event
    (card,) = cards_of(api_handler, "o-70")
    assert card["email_status"] == "pending"
    monkeypatch.setattr(suppression, "transactional_suppression", real_check)
    publish(aws, "order.paid", {"order_id": "o-70", **ORDER})  # the redelivery
    assert cards_of(api_handler, "o-70")[0]["email_status"] == "sent"
    assert [str(message["To"]) for message in outbox()] == ["friend@example.com"]


def test_an_answer_ses_never_gave_keeps_the_claim_so_no_second_email(aws, api_handler, monkeypatch):
    real_send = gift_card_email.send_raw

    def answer_lost(*args, **kwargs):
        real_send(*args, **kwargs)
        raise SendOutcomeUnknown("no answer from SES: Read timeout")

    monkeypatch.setattr(gift_card_email, "send_raw", answer_lost)
    publish(aws, "order.paid", {"order_id": "o-71", **ORDER})
    monkeypatch.setattr(gift_card_email, "send_raw", real_send)
    publish(aws, "order.paid", {"order_id": "o-71", **ORDER})  # the redelivery
    assert cards_of(api_handler, "o-71")[0]["email_status"] == "sending"
    assert len(outbox()) == 1
