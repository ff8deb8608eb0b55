"""A campaign from send/ to the outbox through the real queues and workers (in-process moto)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from marketing.aws import ses
from marketing.campaigns.services import campaign_sends, delivery
from marketing.campaigns.services.send_rate import NoSendSlot
from marketing.campaigns.store import recipients
from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS, SES_EVENTS
from marketing_local.pollers import sqs_event
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import campaign_for, drain, handler, outbox, parts, staff, subscriber
from tests.support.events import Context
from tests.support.queues import deliver, failures, receive


def failing_first(times: int, error: Exception, real):
    """`real`, raising `error` on its first `times` calls."""
    left = [times]

    def call(*args, **kwargs):
        if left[0]:
            left[0] -= 1
            raise error
        return real(*args, **kwargs)

    return call


@pytest.fixture
def shop(api_handler):
    """Three subscribers, one who unsubscribed, and a campaign to all four."""
    people = [
        subscriber(api_handler, "ada@example.com", "Ada"),
        subscriber(api_handler, "grace@example.com", "Grace"),
        subscriber(api_handler, "alan@example.com", "Alan"),
        subscriber(api_handler, "gone@example.com", "Gone", subscribed=False),
    ]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    return api_handler, people, campaign


def test_a_send_reaches_each_subscriber_once_and_suppresses_the_unsubscribed(aws, shop):
    api, _, campaign = shop
    status, started = staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    assert status == 202, started
    assert started["status"] == "sending"

    drain(aws)

    sent = outbox()
    assert sorted(str(message["To"]) for message in sent) == [
        "ada@example.com",
        "alan@example.com",
        "grace@example.com",
    ]
    for message in sent:
        text, html = parts(message)
        name = {"ada@example.com": "Ada", "grace@example.com": "Grace", "alan@example.com": "Alan"}[str(message["To"])]
        assert message["Subject"] == f"Hello {name}, the sale is on"
        assert f"Hi {name}" in text
        assert f"Hi {name}" in html
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = dict(message.raw_items())["List-Unsubscribe"]  # as sent: URLs, not RFC 2047 words
        assert unsubscribe.startswith("<https://marketing.test/api/v1/marketing/unsubscribe/?token=")
        # The mailto names the recipient by a signed address at the domain SES receives for.
        assert re.search(r", <mailto:[a-z2-7]{40,64}@unsubscribe\.shop\.example\?subject=unsubscribe>$", unsubscribe)
        assert "/track/open/" in html
        assert "/track/click/" in html
        assert "https://shop.example/sale" not in html  # every link goes through click tracking
        assert "Unsubscribe" in html
        assert "Manage email preferences" in html
        assert str(message["From"]) == "Shop <news@shop.example>"

    status, detail = staff(api, "GET", f"/campaigns/{campaign['id']}/")
    assert detail["status"] == "sent"
    assert detail["progress"] == {"total": 4, "sent": 3, "failed": 0, "suppressed": 1, "queued": 0}
    status, page = staff(api, "GET", f"/campaigns/{campaign['id']}/recipients/", query={"status": "suppressed"})
    assert [(item["email"], item["suppressed_reason"]) for item in page["items"]] == [
        ("gone@example.com", "unsubscribed")
    ]
    status, analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")
    assert analytics["sent"] == 3


def test_a_campaign_never_reaches_the_unsubscribed_whatever_its_templates_label(aws, shop):
    """The template is relabelled transactional after the send was accepted: the unsubscribed
    contact is still suppressed, because a campaign is marketing."""
    api, _, campaign = shop
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    staff(api, "PATCH", f"/templates/{campaign['template_id']}/", {"category": "transactional"})
    drain(aws)
    assert "gone@example.com" not in {str(message["To"]) for message in outbox()}
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["progress"]["suppressed"] == 1


def test_a_segment_larger_than_a_page_is_expanded_page_by_page(aws, shop, monkeypatch):
    api, _, campaign = shop
    monkeypatch.setattr(campaign_sends, "EXPAND_PAGE", 3)
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")

    drain(aws)

    assert len(outbox()) == 3
    detail = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert detail["status"] == "sent"
    assert detail["progress"] == {"total": 4, "sent": 3, "failed": 0, "suppressed": 1, "queued": 0}


def test_redelivering_a_batch_and_sending_twice_send_nothing_new(aws, shop):
    api, _, campaign = shop
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 409

    drain(aws, CAMPAIGN_SENDS)
    batch = receive(aws[CAMPAIGN_DELIVERIES.env_var])
    assert len(batch) == 1
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)
    assert len(outbox()) == 3
    # SQS delivers the same message again (e.g. the first worker's delete was lost) ...
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)
    # ... and a duplicate send request arrives.
    boto3.client("sqs").send_message(
        QueueUrl=aws[CAMPAIGN_SENDS.env_var], MessageBody=json.dumps({"campaign_id": campaign["id"]})
    )
    drain(aws)
    assert len(outbox()) == 3
    detail = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert (detail["progress"]["sent"], detail["progress"]["total"]) == (3, 4)


def test_throttled_sends_are_retried_later_and_sent_once(aws, shop, monkeypatch):
    api, _, campaign = shop
    throttled = ses.SendRetryable("TooManyRequestsException: Maximum sending rate exceeded.")
    monkeypatch.setattr(delivery, "send_raw", failing_first(10, throttled, ses.send_raw))
    monkeypatch.setattr(delivery, "SEND_THREADS", 1)  # throttles fall on recipients in order
    monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(delivery, "RETRY_DELAYS_SECONDS", (0, 0, 0))
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var])
    # Two recipients stayed throttled through the quick retries: kept for a later attempt.
    assert len(outbox()) == 1
    progress = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["progress"]
    assert (progress["sent"], progress["failed"], progress["queued"]) == (1, 0, 2)
    retry = receive(aws[CAMPAIGN_DELIVERIES.env_var])
    assert [(len(json.loads(m["Body"])["contact_ids"]), json.loads(m["Body"])["attempt"]) for m in retry] == [(2, 2)]

    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], retry)
    assert sorted(str(message["To"]) for message in outbox()) == [
        "ada@example.com",
        "alan@example.com",
        "grace@example.com",
    ]
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["status"] == "sent"


def test_sends_no_slot_came_for_go_on_at_once_as_the_same_attempt_and_never_fail(aws, shop, monkeypatch):
    api, _, campaign = shop
    no_slot = NoSendSlot("no slot of the send rate within the invocation's time")
    monkeypatch.setattr(delivery, "_send", failing_first(2, no_slot, delivery._send))
    monkeypatch.setattr(delivery, "SEND_THREADS", 1)
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    (first,) = receive(aws[CAMPAIGN_DELIVERIES.env_var])
    last_attempt = {**json.loads(first["Body"]), "attempt": delivery.MAX_ATTEMPTS}  # even at the last one
    deliver(
        handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], [{**first, "Body": json.dumps(last_attempt)}]
    )
    assert len(outbox()) == 1
    progress = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["progress"]
    assert (progress["sent"], progress["failed"], progress["queued"]) == (1, 0, 2)
    (again,) = receive(aws[CAMPAIGN_DELIVERIES.env_var])  # no delay: on the queue at once
    assert (len(json.loads(again["Body"])["contact_ids"]), json.loads(again["Body"])["attempt"]) == (
        2,
        delivery.MAX_ATTEMPTS,
    )
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], [again])
    assert len(outbox()) == 3
    assert staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]["status"] == "sent"


def test_a_worker_that_dies_before_recording_never_causes_a_second_email(aws, shop, monkeypatch):
    api, _, campaign = shop
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    batch = receive(aws[CAMPAIGN_DELIVERIES.env_var])

    real_send, real_record = ses.send_raw, recipients.record_results
    sends = []

    def send_then_die(*args, **kwargs):
        sends.append(args)
        if len(sends) >= 2:  # from the second send on, nothing goes out any more
            raise SystemExit("the worker's process died")
        return real_send(*args, **kwargs)

    def die(*args, **kwargs):
        raise SystemExit("the worker's process died")

    monkeypatch.setattr(delivery, "send_raw", send_then_die)
    monkeypatch.setattr(recipients, "record_results", die)
    with pytest.raises(SystemExit):
        handler(CAMPAIGN_DELIVERIES)(sqs_event(batch, "arn:aws:sqs:eu-west-2:123456789012:deliveries"), Context())
    assert len(outbox()) == 1
    monkeypatch.setattr(delivery, "send_raw", real_send)
    monkeypatch.setattr(recipients, "record_results", real_record)

    # SQS redelivers the batch while the claims are fresh: nothing is sent twice.
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)
    assert len(outbox()) == 1
    # SES publishes a Send event for the one email it accepted ...
    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)
    # ... so once the lease is over, the redelivered batch records that one as sent and sends
    # the two that SES never accepted.
    later = datetime.now(UTC) + delivery.CLAIM_LEASE + timedelta(seconds=1)
    monkeypatch.setattr(delivery.clock, "utcnow", lambda: later)
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)
    addresses = sorted(str(message["To"]) for message in outbox())
    assert addresses == ["ada@example.com", "alan@example.com", "grace@example.com"]
    detail = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert detail["status"] == "sent"
    assert detail["progress"] == {"total": 4, "sent": 3, "failed": 0, "suppressed": 1, "queued": 0}


def test_an_answer_from_ses_lost_on_the_way_back_never_causes_a_second_email(aws, shop, monkeypatch):
    api, _, campaign = shop
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    batch = receive(aws[CAMPAIGN_DELIVERIES.env_var])
    real_send = ses.send_raw
    lost = []

    def answer_lost_once(*args, **kwargs):
        message_id = real_send(*args, **kwargs)  # SES has the email ...
        if not lost:
            lost.append(message_id)
            raise ses.SendOutcomeUnknown("no answer from SES: Read timeout")  # ... the worker never hears
        return message_id

    monkeypatch.setattr(delivery, "send_raw", answer_lost_once)
    # The batch's message fails, so SQS hands it out again (the worker raises rather than guess).
    queue_url = aws[CAMPAIGN_DELIVERIES.env_var]
    assert failures(handler(CAMPAIGN_DELIVERIES), queue_url, batch) == {message["MessageId"] for message in batch}
    assert len(outbox()) == 3  # the other two were sent and recorded
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)  # redelivered at once
    assert len(outbox()) == 3  # the claim of the unanswered one stands

    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)
    later = datetime.now(UTC) + delivery.CLAIM_LEASE + timedelta(seconds=1)
    monkeypatch.setattr(delivery.clock, "utcnow", lambda: later)
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)
    assert sorted(str(message["To"]) for message in outbox()) == [
        "ada@example.com",
        "alan@example.com",
        "grace@example.com",
    ]
    detail = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert detail["status"] == "sent"
    assert detail["progress"] == {"total": 4, "sent": 3, "failed": 0, "suppressed": 1, "queued": 0}


def test_a_contact_erased_after_the_expansion_is_counted_so_the_campaign_still_ends(aws, shop):
    from marketing.audience.services import contact_data

    api, people, campaign = shop
    staff(api, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)  # the batches are queued, counted into the total
    contact_data.erase(people[0]["contact_id"])
    drain(aws, CAMPAIGN_DELIVERIES)
    drain(aws, CAMPAIGN_DELIVERIES)  # a redelivery counts it no twice
    detail = staff(api, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert detail["status"] == "sent"
    assert detail["progress"] == {"total": 4, "sent": 2, "failed": 0, "suppressed": 2, "queued": 0}
    erased = staff(api, "GET", f"/campaigns/{campaign['id']}/recipients/", query={"status": "suppressed"})[1]["items"]
    assert sorted(item["suppressed_reason"] for item in erased) == ["erased", "unsubscribed"]
    assert "ada@example.com" not in str(erased)


def test_a_send_whose_worker_died_and_whose_bounce_came_first_is_still_counted(aws, api_handler, monkeypatch):
    bouncer = subscriber(api_handler, "bounce@simulator.amazonses.com", "Bounce")
    campaign = campaign_for(api_handler, [bouncer["contact_id"]])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    batch = receive(aws[CAMPAIGN_DELIVERIES.env_var])
    real_record = recipients.record_results

    def die(*args, **kwargs):
        raise SystemExit("the worker's process died")  # SES has the email; its result is never recorded

    monkeypatch.setattr(recipients, "record_results", die)
    with pytest.raises(SystemExit):
        handler(CAMPAIGN_DELIVERIES)(sqs_event(batch, "arn:aws:sqs:eu-west-2:123456789012:deliveries"), Context())
    monkeypatch.setattr(recipients, "record_results", real_record)
    SesEventSimulator(boto3.client("events")).publish_new()  # its Send event, then its bounce
    drain(aws, SES_EVENTS)

    later = datetime.now(UTC) + delivery.CLAIM_LEASE + timedelta(seconds=1)
    monkeypatch.setattr(delivery.clock, "utcnow", lambda: later)
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)  # SQS hands it out again
    detail = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert detail["status"] == "sent"
    assert detail["progress"] == {"total": 1, "sent": 1, "failed": 0, "suppressed": 0, "queued": 0}
    assert len(outbox()) == 1


def test_a_claim_left_before_ses_took_it_is_not_sent_again_to_a_contact_who_unsubscribed_since(
    aws, api_handler, monkeypatch
):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    campaign = campaign_for(api_handler, [ada["contact_id"]])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    batch = receive(aws[CAMPAIGN_DELIVERIES.env_var])

    def die(*args, **kwargs):
        raise SystemExit("the worker's process died")  # before SES was asked

    monkeypatch.setattr(delivery, "send_raw", die)
    with pytest.raises(SystemExit):
        handler(CAMPAIGN_DELIVERIES)(sqs_event(batch, "arn:aws:sqs:eu-west-2:123456789012:deliveries"), Context())
    monkeypatch.setattr(delivery, "send_raw", ses.send_raw)
    assert staff(api_handler, "DELETE", f"/subscribers/{ada['id']}/")[1]["status"] == "unsubscribed"

    later = datetime.now(UTC) + delivery.CLAIM_LEASE + timedelta(seconds=1)
    monkeypatch.setattr(delivery.clock, "utcnow", lambda: later)
    deliver(handler(CAMPAIGN_DELIVERIES), aws[CAMPAIGN_DELIVERIES.env_var], batch)
    assert outbox() == []
    detail = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert detail["status"] == "sent"  # every recipient handled: the campaign ends
    assert detail["progress"] == {"total": 1, "sent": 0, "failed": 1, "suppressed": 0, "queued": 0}
