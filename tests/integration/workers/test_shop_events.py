"""Shop events published on the bus, routed by the rule to the queue, handled by the worker."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import boto3
import pytest

from marketing.audience.models.subscribers import SubscriberSource, SubscriberStatus
from marketing.audience.services import contact_data
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.catalog.topology import EVENT_BUS_ENV, SHOP_EVENTS, shop_event_entries
from tests.support.queues import deliver, receive


@pytest.fixture
def worker(aws):
    return importlib.import_module("workers.shop_events").lambda_handler


@pytest.fixture
def publish(aws):
    client = boto3.client("events")

    def publish(detail_type: str, detail: dict) -> None:
        result = client.put_events(
            Entries=shop_event_entries([{"detail-type": detail_type, "detail": detail}], aws[EVENT_BUS_ENV])
        )
        assert result["FailedEntryCount"] == 0

    return publish


@pytest.fixture
def handle(aws, worker, publish):
    """Publishes one event and runs the worker on what the rule delivered; returns its response."""

    def handle(detail_type: str, detail: dict) -> dict:
        publish(detail_type, detail)
        return deliver(worker, aws[SHOP_EVENTS.env_var])

    return handle


def _paid(order_id: str, total: str = "25.00", paid_at: str = "2026-11-01T10:00:00Z", **extra) -> dict:
    return {"order_id": order_id, "email": "buyer@example.com", "total": total, "paid_at": paid_at, **extra}


def test_user_registered_with_opt_in_creates_the_contact_and_a_website_subscriber(handle):
    response = handle(
        "user.registered",
        {"user_id": "u-1", "email": "New@Example.com", "first_name": "Ada", "marketing_opt_in": True},
    )
    assert response == {"batchItemFailures": []}
    contact = contact_store.find_by_email("new@example.com")
    assert (contact.user_id, contact.first_name) == ("u-1", "Ada")
    assert contact.subscription_status == SubscriberStatus.SUBSCRIBED
    subscriber = subscriber_store.get(subscriber_store.subscriber_id(contact.id))
    assert (subscriber.status, subscriber.source) == (SubscriberStatus.SUBSCRIBED, SubscriberSource.WEBSITE)


def test_user_registered_without_opt_in_creates_only_the_contact(handle):
    handle("user.registered", {"user_id": "u-2", "email": "quiet@example.com"})
    contact = contact_store.find_by_email("quiet@example.com")
    assert contact.user_id == "u-2"
    assert subscriber_store.find(subscriber_store.subscriber_id(contact.id)) is None


def test_user_registered_opting_in_with_an_erased_address_saves_the_contact_unsubscribed(handle):
    """Erasure keeps the address on the do-not-email list: the shop's opt-in is no confirmed opt-in."""
    handle("user.registered", {"user_id": "u-3", "email": "gone@example.com", "marketing_opt_in": True})
    contact_data.erase(contact_store.find_by_email("gone@example.com").id)
    response = handle("user.registered", {"user_id": "u-4", "email": "Gone@example.com", "marketing_opt_in": True})
    assert response == {"batchItemFailures": []}  # handled, not retried
    contact = contact_store.find_by_email("gone@example.com")
    assert (contact.user_id, contact.subscription_status) == ("u-4", None)
    assert subscriber_store.find(subscriber_store.subscriber_id(contact.id)) is None


def test_contact_upserted_creates_then_changes_only_the_given_fields(handle):
    handle("contact.upserted", {"email": "crm@example.com", "first_name": "Grace", "lifecycle_stage": "vip"})
    handle("contact.upserted", {"email": "CRM@example.com", "tags": ["Wholesale"]})
    contact = contact_store.find_by_email("crm@example.com")
    assert (contact.first_name, contact.lifecycle_stage.value, contact.tags) == ("Grace", "vip", ["wholesale"])


def test_order_paid_counts_once_per_order_id_however_often_it_is_delivered(handle, worker, aws):
    handle("order.paid", _paid("o-1"))
    handle("order.paid", _paid("o-1"))
    contact = contact_store.find_by_email("buyer@example.com")
    assert (contact.order_count, contact.lifetime_value) == (1, Decimal("25.00"))
    assert contact.lifecycle_stage.value == "customer"

    handle("order.paid", _paid("o-2", total="10.50", paid_at="2026-10-01T09:00:00Z"))
    contact = contact_store.find_by_email("buyer@example.com")
    assert (contact.order_count, contact.lifetime_value) == (2, Decimal("35.50"))
    assert contact.last_order_at.isoformat().startswith("2026-11-01T10:00")  # the later order's time stays


def test_a_signed_in_order_links_a_contact_without_a_user_to_the_shop_account(handle):
    handle("contact.upserted", {"email": "buyer@example.com", "first_name": "Bea"})  # the CRM's: no user id
    handle("order.paid", _paid("o-1", user_id="u-7"))
    contact = contact_store.find_by_email("buyer@example.com")
    assert contact.user_id == "u-7"
    exported = contact_data.export(contact.id)  # so the export, and an erasure, reach its points
    assert exported.loyalty_account is not None
    assert exported.loyalty_account.user_id == "u-7"
    assert exported.loyalty_account.balance == 25


def test_a_signed_in_order_leaves_a_contact_that_is_another_users_with_its_user(handle):
    handle("user.registered", {"user_id": "u-1", "email": "buyer@example.com"})
    handle("order.paid", _paid("o-1", user_id="u-2"))
    assert contact_store.find_by_email("buyer@example.com").user_id == "u-1"


def test_the_same_message_redelivered_changes_nothing(aws, worker, publish):
    publish("order.paid", _paid("o-9"))
    (message,) = receive(aws[SHOP_EVENTS.env_var])
    deliver(worker, aws[SHOP_EVENTS.env_var], [message])
    deliver(worker, aws[SHOP_EVENTS.env_var], [message])  # SQS delivered it again
    assert contact_store.find_by_email("buyer@example.com").order_count == 1


def test_a_refund_comes_off_the_lifetime_value_once(handle):
    handle("order.paid", _paid("o-3", total="40.00"))
    refund = {"order_id": "o-3", "refund_id": "r-1", "amount": "15.00", "refunded_at": "2026-11-02T10:00:00Z"}
    handle("order.refunded", refund)
    handle("order.refunded", refund)
    contact = contact_store.find_by_email("buyer@example.com")
    assert (contact.order_count, contact.lifetime_value) == (1, Decimal("25.00"))


def test_a_refund_for_an_order_not_counted_yet_is_retried(handle):
    response = handle(
        "order.refunded", {"order_id": "o-later", "amount": "5.00", "refunded_at": "2026-11-02T10:00:00Z"}
    )
    assert len(response["batchItemFailures"]) == 1


def test_an_invalid_event_goes_to_the_dead_letter_queue_with_the_reason(aws, handle):
    response = handle("order.paid", {"order_id": "o-4", "email": "not-an-email", "total": 12.5, "paid_at": "x"})
    assert response == {"batchItemFailures": []}  # not retried: it can never succeed
    (dead,) = receive(aws[SHOP_EVENTS.dlq_env_var])
    reason = dead["MessageAttributes"]["error_reason"]["StringValue"]
    assert "order.paid detail" in reason
    for field in ("email", "total", "paid_at"):
        assert field in reason
    assert json.loads(dead["Body"])["detail"]["order_id"] == "o-4"
    assert contact_store.find_by_email("not-an-email") is None


def test_a_refund_larger_than_the_order_is_refused_to_the_dead_letter_queue(aws, handle):
    handle("order.paid", _paid("o-5", total="10.00"))
    handle("order.refunded", {"order_id": "o-5", "amount": "10.01", "refunded_at": "2026-11-02T10:00:00Z"})
    (dead,) = receive(aws[SHOP_EVENTS.dlq_env_var])
    assert "more than the 10.00 left to refund" in dead["MessageAttributes"]["error_reason"]["StringValue"]
    assert contact_store.find_by_email("buyer@example.com").lifetime_value == Decimal("10.00")


def test_a_refused_refund_gives_nothing_back_to_gift_cards_and_takes_no_points(aws, handle):
    from marketing.auth import Access, Principal
    from marketing.growth.models.gift_cards import GiftCardCreate, GiftCardRedeem
    from marketing.growth.services import gift_cards, loyalty

    card = gift_cards.create(GiftCardCreate(amount=Decimal("50.00")))
    staff = Principal(Access.STAFF, "till")
    gift_cards.redeem(card.id, GiftCardRedeem(amount=Decimal("50.00"), order_id="o-8"), staff)
    handle("order.paid", _paid("o-8", total="100.00", user_id="u-8"))
    refund = {"order_id": "o-8", "amount": "80.00", "gift_card_amount": "30.00", "refunded_at": "2026-11-02T10:00:00Z"}
    handle("order.refunded", {**refund, "refund_id": "r-1"})  # 20.00 left to refund
    handle("order.refunded", {**refund, "refund_id": "r-2", "amount": "50.00", "gift_card_amount": "20.00"})
    (dead,) = receive(aws[SHOP_EVENTS.dlq_env_var])
    assert "more than the 20.00 left to refund" in dead["MessageAttributes"]["error_reason"]["StringValue"]
    assert gift_cards.get(card.id).balance == Decimal("30.00")  # r-1's 30.00 only
    assert loyalty.account("u-8").balance == 20  # 100 earned, r-1's 80 taken back, nothing for r-2


def test_a_refund_right_after_the_payment_reverses_its_points_even_where_the_index_lags(aws, handle, monkeypatch):
    from marketing.growth.services import loyalty
    from marketing.growth.store.loyalty import LoyaltyEntryRecord

    monkeypatch.setattr(LoyaltyEntryRecord.by_order, "query", lambda *args, **kwargs: iter([]))  # not there yet
    handle("order.paid", _paid("o-9", total="60.00", user_id="u-9"))
    handle("order.refunded", {"order_id": "o-9", "amount": "60.00", "refunded_at": "2026-11-02T10:00:00Z"})
    assert loyalty.account("u-9").balance == 0


def test_erasure_leaves_counted_orders_naming_no_one_and_a_redelivery_does_not_bring_them_back(handle):
    handle("order.paid", _paid("o-6"))
    contact = contact_store.find_by_email("buyer@example.com")
    assert [order.order_id for order in contact_data.export(contact.id).orders] == ["o-6"]
    contact_data.erase(contact.id)
    handle("order.paid", _paid("o-6"))  # a late redelivery after erasure
    assert contact_store.find_by_email("buyer@example.com") is None
