"""The List-Unsubscribe mailto, end to end: a campaign is sent, its email's mailto address is
written to as a mail client would, the raw email lands in the inbound-mail bucket where SES's
receipt rule stores it (S3 notifies the queue as in AWS), and the worker unsubscribes the
recipient the address names, counted once for the campaign."""

from __future__ import annotations

import importlib
import re
from email.message import EmailMessage
from urllib.parse import unquote

import boto3
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from marketing.audience.models.subscribers import SubscriberStatus
from marketing.audience.store import subscribers as subscriber_store
from marketing.catalog.topology import INBOUND_MAIL_BUCKET_ENV, INBOUND_UNSUBSCRIBES
from marketing_local.inbound import InboundMail
from tests.support.campaigns import campaign_for, drain, outbox, staff, subscriber
from tests.support.events import call
from tests.support.queues import deliver, receive

MAILTO = re.compile(r"<mailto:([^?>]+)\?subject=unsubscribe>")


@pytest.fixture
def worker(aws):
    return importlib.import_module("workers.inbound_unsubscribes").lambda_handler


@pytest.fixture
def sent(api_handler, aws):
    """A campaign sent to Ada and Grace; their emails' mailto addresses."""
    people = [subscriber(api_handler, "ada@example.com", "Ada"), subscriber(api_handler, "grace@example.com", "Grace")]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    status, started = staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    assert status == 202, started
    drain(aws)
    mailto = {
        str(message["To"]): MAILTO.search(dict(message.raw_items())["List-Unsubscribe"]).group(1)
        for message in outbox()
    }
    return campaign, {person["email"]: person for person in people}, mailto


def _reply(to: str, sender: str = "ada@example.com", envelope_to: str | None = None) -> bytes:
    """What a mail client sends for the mailto (SES adds a Received header naming the recipient)."""
    message = EmailMessage()
    received_for = envelope_to or to
    message["Received"] = f"from mail.example.com by inbound-smtp.eu-west-2.amazonaws.com for {received_for}; Mon"
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "unsubscribe"
    message.set_content("unsubscribe")
    return message.as_bytes()


def _receive(aws, worker, raw: bytes) -> dict:
    """Stores `raw` as SES's receipt rule does, through local mode's POST /local/inbound, and runs
    the worker on what S3 notified."""
    request = Request(
        EnvironBuilder(method="POST", path="/local/inbound", data=raw, content_type="message/rfc822").get_environ()
    )
    assert InboundMail(boto3.client("s3"), aws[INBOUND_MAIL_BUCKET_ENV]).route(request).status_code == 202
    queue = aws[INBOUND_UNSUBSCRIBES.env_var]
    messages = receive(queue)
    assert messages, "S3 notified the queue"
    response = deliver(worker, queue, messages)
    assert response["batchItemFailures"] == []
    return response


def _status(person: dict) -> SubscriberStatus:
    return subscriber_store.get(person["id"]).status


def _unsubscribed(api, campaign: dict) -> int:
    status, analytics = staff(api, "GET", f"/campaigns/{campaign['id']}/analytics/")
    assert status == 200, analytics
    return analytics["unsubscribed"]


def test_mail_to_the_mailto_address_unsubscribes_its_recipient_once(api_handler, aws, worker, sent):
    campaign, people, mailto = sent
    assert re.fullmatch(r"[a-z2-7]{1,64}@unsubscribe\.shop\.example", mailto["ada@example.com"])

    _receive(aws, worker, _reply(mailto["ada@example.com"]))
    assert _status(people["ada@example.com"]) == SubscriberStatus.UNSUBSCRIBED
    assert _status(people["grace@example.com"]) == SubscriberStatus.SUBSCRIBED
    assert _unsubscribed(api_handler, campaign) == 1

    # Sent twice (a client's retry, a second click): nothing more happens, nothing fails.
    _receive(aws, worker, _reply(mailto["ada@example.com"].upper()))
    assert _status(people["ada@example.com"]) == SubscriberStatus.UNSUBSCRIBED
    assert _unsubscribed(api_handler, campaign) == 1


def test_the_envelope_recipient_counts_when_the_address_is_not_in_to(api_handler, aws, worker, sent):
    campaign, people, mailto = sent
    # Sent Bcc: only SES's Received header names the address.
    _receive(aws, worker, _reply("list@shop.example", envelope_to=mailto["grace@example.com"]))
    assert _status(people["grace@example.com"]) == SubscriberStatus.UNSUBSCRIBED
    assert _unsubscribed(api_handler, campaign) == 1


def test_a_forged_or_foreign_address_does_nothing(api_handler, aws, worker, sent):
    campaign, people, mailto = sent
    local, _, domain = mailto["ada@example.com"].partition("@")
    tampered = ("b" if local[10] != "b" else "c").join((local[:10], local[11:]))
    for raw in (
        _reply(f"{tampered}@{domain}"),
        _reply(f"unsubscribe@{domain}"),
        b"\x00\xff not an email at all",
    ):
        _receive(aws, worker, raw)
    assert _status(people["ada@example.com"]) == SubscriberStatus.SUBSCRIBED
    assert _unsubscribed(api_handler, campaign) == 0


def test_a_notification_of_an_email_no_longer_stored_is_ignored(aws, worker):
    from marketing.email.services import inbound_unsubscribes

    work = inbound_unsubscribes.parse('{"Records": [{"s3": {"object": {"key": "unsubscribe/gone"}}}]}')
    assert inbound_unsubscribes.handle(work, None) == "unsubscribe/gone: no longer stored; ignored"


def test_the_one_click_link_and_the_mailto_count_once_together(api_handler, aws, worker, sent):
    campaign, people, mailto = sent
    (grace,) = [message for message in outbox() if str(message["To"]) == "grace@example.com"]
    token = re.search(r"token=([^>]+)>", dict(grace.raw_items())["List-Unsubscribe"]).group(1)
    query = {"token": unquote(token)}
    status, _ = call(api_handler, "POST", "/unsubscribe/", "List-Unsubscribe=One-Click", query=query)
    assert status == 200
    _receive(aws, worker, _reply(mailto["grace@example.com"], sender="grace@example.com"))
    assert _status(people["grace@example.com"]) == SubscriberStatus.UNSUBSCRIBED
    assert _unsubscribed(api_handler, campaign) == 1
