"""Resuming a paused campaign (issue 20, item 6): the batches a pause held wait in a table, not on
the queue, and the resume's message to the send worker puts them back on the delivery queue with
no delay; a hold that races the resume, a hand-back that dies midway, a second pause and a cancel
each leave every recipient sent to at most once and nothing stuck."""

from __future__ import annotations

from collections import Counter

import boto3
import pytest

from marketing import clock
from marketing.campaigns.models.campaigns import DeliveryBatch
from marketing.campaigns.store import campaigns as campaign_store
from marketing.campaigns.store import held_batches
from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS
from tests.support.campaigns import campaign_for, drain, handler, outbox, staff, subscriber
from tests.support.queues import deliver, receive

QUEUE_COUNTS = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


def on_queue(url: str) -> dict[str, int]:
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=QUEUE_COUNTS)["Attributes"]
    return {name.removeprefix("ApproximateNumberOf"): int(attributes[name]) for name in QUEUE_COUNTS}


@pytest.fixture
def paused(aws, api_handler):
    """A campaign to 60 subscribers, expanded into two batches (50 + 10), paused before either was
    delivered; both batches then reached the delivery worker and were held."""
    people = [subscriber(api_handler, f"r{number}@example.com", "R") for number in range(60)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/pause/")[0] == 200
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var])
    return api_handler, campaign["id"]


def held(campaign_id: str) -> list[int]:
    return sorted(len(item.batch.contact_ids) for item in held_batches.first(campaign_id, 100))


def run_send_worker(aws) -> None:
    """The campaign-send worker once, on what the API queued for it."""
    deliver(handler(CAMPAIGN_SENDS), aws[CAMPAIGN_SENDS.env_var])


def assert_each_sent_once(api, campaign_id: str, total: int) -> None:
    done = staff(api, "GET", f"/campaigns/{campaign_id}/")[1]
    assert (done["status"], done["progress"]["sent"], done["progress"]["queued"]) == ("sent", total, 0)
    per_address = Counter(str(message["To"]) for message in outbox())
    assert (len(per_address), set(per_address.values())) == (total, {1})


def test_a_held_batch_waits_off_the_queue_and_goes_out_with_no_delay_on_resume(aws, paused):
    api, campaign_id = paused
    deliveries = aws[CAMPAIGN_DELIVERIES.env_var]
    assert outbox() == []
    assert held(campaign_id) == [10, 50]
    # Nothing comes back to look while paused: no SQS requests however long the pause lasts.
    assert on_queue(deliveries) == {"Messages": 0, "MessagesNotVisible": 0, "MessagesDelayed": 0}

    assert staff(api, "POST", f"/campaigns/{campaign_id}/resume/")[0] == 200
    run_send_worker(aws)

    assert held(campaign_id) == []
    # Queued with no delay (moto holds back a delayed message as SQS does): the delivery worker's
    # next poll takes them, a second or so after the resume, not the five minutes of a timed hold.
    assert on_queue(deliveries) == {"Messages": 2, "MessagesNotVisible": 0, "MessagesDelayed": 0}
    deliver(handler(CAMPAIGN_DELIVERIES), deliveries)
    assert_each_sent_once(api, campaign_id, 60)


def test_a_hold_that_races_the_resume_goes_back_on_the_queue_at_once(aws, api_handler, monkeypatch):
    """The delivery worker read the campaign as paused, and the resume landed before its hold: the
    hold's check of the status fails, so the batch is queued again, not kept for a resume that
    already happened."""
    people = [subscriber(api_handler, f"s{number}@example.com", "S") for number in range(3)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    real_record = campaign_store.record

    def read_before_the_resume(campaign_id: str):
        item = real_record(campaign_id)
        item.status = "paused"
        return item

    deliveries = aws[CAMPAIGN_DELIVERIES.env_var]
    with monkeypatch.context() as patched:
        patched.setattr(campaign_store, "record", read_before_the_resume)
        assert deliver(handler(CAMPAIGN_DELIVERIES), deliveries) == {"batchItemFailures": []}
    assert held(campaign["id"]) == []
    assert on_queue(deliveries) == {"Messages": 1, "MessagesNotVisible": 0, "MessagesDelayed": 0}
    drain(aws)
    assert_each_sent_once(api_handler, campaign["id"], 3)


@pytest.mark.usefixtures("aws")
def test_a_batch_is_held_only_while_its_campaign_is_paused():
    batch = DeliveryBatch(campaign_id="cmp_gone", contact_ids=["ctc_1"])
    assert held_batches.hold(batch, clock.utcnow()) is False
    assert held("cmp_gone") == []


def test_a_hand_back_that_dies_before_releasing_queues_again_and_sends_nobody_twice(aws, paused, monkeypatch):
    api, campaign_id = paused
    real_release = held_batches.release

    def die_once(*args):
        monkeypatch.setattr(held_batches, "release", real_release)
        raise RuntimeError("the worker died after queueing")

    monkeypatch.setattr(held_batches, "release", die_once)
    staff(api, "POST", f"/campaigns/{campaign_id}/resume/")
    sends = aws[CAMPAIGN_SENDS.env_var]
    messages = receive(sends)
    assert len(deliver(handler(CAMPAIGN_SENDS), sends, messages)["batchItemFailures"]) == 1
    assert held(campaign_id) == [10, 50]
    # SQS delivers the message again once its visibility timeout ends (here: at once).
    boto3.client("sqs").change_message_visibility(
        QueueUrl=sends, ReceiptHandle=messages[0]["ReceiptHandle"], VisibilityTimeout=0
    )
    drain(aws)
    assert held(campaign_id) == []
    assert_each_sent_once(api, campaign_id, 60)  # four batches queued for two: the claims sent each once


def test_a_campaign_paused_again_before_the_hand_back_keeps_its_batches(aws, paused):
    api, campaign_id = paused
    staff(api, "POST", f"/campaigns/{campaign_id}/resume/")
    staff(api, "POST", f"/campaigns/{campaign_id}/pause/")
    run_send_worker(aws)
    assert held(campaign_id) == [10, 50]
    assert receive(aws[CAMPAIGN_DELIVERIES.env_var]) == []
    staff(api, "POST", f"/campaigns/{campaign_id}/resume/")
    drain(aws)
    assert_each_sent_once(api, campaign_id, 60)


def test_cancelling_a_paused_campaign_drops_its_held_batches(aws, paused):
    api, campaign_id = paused
    assert staff(api, "POST", f"/campaigns/{campaign_id}/cancel/")[1]["status"] == "cancelled"
    drain(aws)
    assert held(campaign_id) == []
    assert outbox() == []
