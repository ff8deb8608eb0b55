"""SES's events through the ses-events worker: a batch's deliveries of one mailing are written
together, each still counted once, whatever else the batch holds and however often SQS delivers it."""

from __future__ import annotations

import boto3
import pytest

from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.store import recipients
from marketing.catalog.topology import SES_EVENTS
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import handler, sent_to_subscribers, staff
from tests.support.queues import failures, receive


@pytest.fixture
def events_of_a_send(aws, api_handler):
    """A campaign sent to four subscribers, and SES's Send and Delivery events for its emails."""
    campaign = sent_to_subscribers(aws, api_handler, 4)
    SesEventSimulator(boto3.client("events")).publish_new()
    messages = receive(aws[SES_EVENTS.env_var])
    assert len(messages) == 8
    return api_handler, campaign, messages


def _handle(aws, messages: list[dict]) -> set[str]:
    return failures(handler(SES_EVENTS), aws[SES_EVENTS.env_var], messages)


def _delivered(api, campaign: dict) -> int:
    return staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["delivered"]


def test_a_batchs_deliveries_are_written_together_and_counted_once_however_often_delivered(
    aws, events_of_a_send, monkeypatch
):
    api, campaign, messages = events_of_a_send
    written = []
    record_deliveries = recipients.record_deliveries
    monkeypatch.setattr(
        recipients, "record_deliveries", lambda *args: written.append(len(args[1])) or record_deliveries(*args)
    )
    assert _handle(aws, messages) == set()
    assert written == [4]  # one write for the four deliveries
    assert _delivered(api, campaign) == 4
    assert _handle(aws, messages) == set()  # SQS delivers the batch again
    assert _handle(aws, messages[::-1]) == set()
    assert _delivered(api, campaign) == 4
    stored = list(recipients.RecipientRecord.query(campaign["id"]))
    assert len(stored) == 4
    assert all(item.delivered_at is not None for item in stored)
    # Their results were recorded when they were sent: the Send events had nothing to settle.
    assert all(item.ses_accepted_at is None for item in stored)


def test_a_send_event_settles_a_claim_still_held_and_writes_nothing_for_a_recorded_result(aws, events_of_a_send):
    _api, campaign, messages = events_of_a_send
    held, *recorded = list(recipients.RecipientRecord.query(campaign["id"]))
    held.update(actions=[recipients.RecipientRecord.status.set(recipients.SENDING)])  # its worker died mid-batch
    sends = [message for message in messages if '"Send"' in message["Body"]]
    assert _handle(aws, sends) == set()
    mailing = MailingRef.named(campaign["id"])
    assert recipients.find(mailing, held.contact_id).ses_accepted_at is not None
    assert all(recipients.find(mailing, item.contact_id).ses_accepted_at is None for item in recorded)


def test_a_failed_write_fails_only_its_deliveries_and_a_bad_message_goes_to_the_dead_letter_queue(
    aws, events_of_a_send, monkeypatch
):
    api, campaign, messages = events_of_a_send
    broken = {**messages[0], "MessageId": "not-an-event", "Body": "{not json"}

    def unavailable(*_args):
        raise RuntimeError("DynamoDB unavailable")

    monkeypatch.setattr(recipients, "record_deliveries", unavailable)
    failed = _handle(aws, [broken, *messages])
    deliveries = {message["MessageId"] for message in messages if '"Delivery"' in message["Body"]}
    assert failed == deliveries  # the Send events went through; the bad message is not retried
    dead = receive(aws[SES_EVENTS.dlq_env_var])
    assert [message["Body"] for message in dead] == ["{not json"]
    monkeypatch.undo()
    assert _handle(aws, [message for message in messages if message["MessageId"] in failed]) == set()
    assert _delivered(api, campaign) == 4


def test_a_delivery_twice_in_one_batch_is_written_once_and_fails_nothing(aws, events_of_a_send):
    api, campaign, messages = events_of_a_send
    delivery = next(message for message in messages if '"Delivery"' in message["Body"])
    again = {**delivery, "MessageId": "the-same-event-again"}
    assert _handle(aws, [*messages, again]) == set()
    assert _delivered(api, campaign) == 4
