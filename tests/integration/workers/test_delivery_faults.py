"""Faults on the send path: SES throttles 30% of calls and delivery workers die mid-batch (after
SES took an email, before its result was recorded). SQS redelivers what a dead invocation held,
SES's Send events settle the claims it left, throttled sends are retried: every recipient gets
exactly one email."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import boto3

from marketing.aws.ses import SendRetryable
from marketing.campaigns.services import delivery
from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS, SES_EVENTS
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import campaign_for, drain, handler, outbox, staff, subscriber
from tests.support.queues import deliver, receive

RECIPIENTS = 120
CRASHES = 4


class WorkerDied(BaseException):
    """The function's process ended (timeout, out of memory): nothing after it runs."""


def test_throttling_and_crashed_workers_still_send_each_recipient_exactly_one_email(aws, api_handler, monkeypatch):
    chance = random.Random(7)  # noqa: S311 - which calls fail, not security
    real_send = delivery.send_raw
    accepted = Counter()

    def unreliable_send(from_address, to, mime, configuration_set):
        if chance.random() < 0.3:
            raise SendRetryable("TooManyRequestsException: Maximum sending rate exceeded")
        message_id = real_send(from_address, to, mime, configuration_set)
        accepted["emails"] += 1
        if accepted["emails"] % 17 == 0 and accepted["crashes"] < CRASHES:
            accepted["crashes"] += 1
            raise WorkerDied  # SES has the email; the worker never records it
        return message_id

    monkeypatch.setattr(delivery, "send_raw", unreliable_send)
    monkeypatch.setattr(delivery, "RETRY_DELAYS_SECONDS", (0, 0, 0))
    monkeypatch.setattr(delivery, "CLAIM_LEASE", timedelta(0))
    monkeypatch.setattr(delivery.time, "sleep", lambda _seconds: None)  # backoff without the wait

    people = [subscriber(api_handler, f"f{number}@example.com", "F") for number in range(RECIPIENTS)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)

    sqs = boto3.client("sqs")
    queue_url = aws[CAMPAIGN_DELIVERIES.env_var]
    simulator = SesEventSimulator(boto3.client("events"))
    for _ in range(100):
        messages = receive(queue_url)
        if not messages:
            break
        try:
            deliver(handler(CAMPAIGN_DELIVERIES), queue_url, messages)
        except WorkerDied:
            # The invocation is gone: SQS hands its whole batch out again after the visibility
            # timeout (here at once), by which time SES's Send events have been recorded.
            for message in messages:
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        simulator.publish_new()
        drain(aws, SES_EVENTS)
    assert accepted["crashes"] == CRASHES
    per_address = Counter(str(message["To"]) for message in outbox())
    assert len(per_address) == RECIPIENTS
    assert set(per_address.values()) == {1}
    done = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert done["status"] == "sent"
    assert (done["progress"]["sent"], done["progress"]["failed"]) == (RECIPIENTS, 0)
