"""The reputation guard: a bounce storm in the first batch of a campaign pauses it by itself;
the next batch is held, not dropped or sent; resuming sends the rest, each address once."""

from __future__ import annotations

from collections import Counter

import boto3

from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.services import campaign_delivery, delivery, reputation
from marketing.campaigns.store import held_batches
from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS, SES_EVENTS
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import campaign_for, drain, handler, outbox, staff, subscriber
from tests.support.queues import deliver, receive


def bouncy_campaign(api_handler, prefix: str) -> dict:
    """A campaign to 60 subscribers in two batches (50 + 10), one in five of them SES's bouncing
    simulator address: 12 bounce, so the first batch holds at least two (4%)."""
    people = [
        subscriber(
            api_handler,
            f"bounce+{number}@simulator.amazonses.com" if number % 5 == 0 else f"{prefix}{number}@example.com",
            prefix.upper(),
        )
        for number in range(60)
    ]
    return campaign_for(api_handler, [person["contact_id"] for person in people])


def test_a_bounce_storm_pauses_the_campaign_until_it_is_resumed(aws, api_handler, monkeypatch):
    monkeypatch.setenv("REPUTATION_MIN_SAMPLE", "20")
    campaign = bouncy_campaign(api_handler, "p")
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws, CAMPAIGN_SENDS)
    queue_url = aws[CAMPAIGN_DELIVERIES.env_var]
    first = receive(queue_url, limit=1)
    deliver(handler(CAMPAIGN_DELIVERIES), queue_url, first)
    sent_first = len(outbox())
    assert sent_first == 50

    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)
    paused = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert paused["status"] == "paused"
    assert "bounce rate" in paused["paused_reason"]
    assert paused["progress"]["queued"] == 10

    deliver(handler(CAMPAIGN_DELIVERIES), queue_url)  # the second batch comes back, held
    assert len(outbox()) == sent_first
    assert receive(queue_url) == []
    assert [len(held.batch.contact_ids) for held in held_batches.first(campaign["id"], 10)] == [10]  # for the resume

    status, resumed = staff(api_handler, "POST", f"/campaigns/{campaign['id']}/resume/")
    assert (status, resumed["status"], resumed["paused_reason"]) == (200, "sending", None)
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/resume/")[0] == 409
    assert resumed["guard_overridden"] is True
    assert (
        reputation.check(MailingRef.campaign(campaign["id"])) is None
    )  # staff chose to go on: late bounces do not pause it again
    drain(aws)
    done = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert done["status"] == "sent"
    per_address = Counter(str(message["To"]) for message in outbox())
    assert len(per_address) == 60
    assert set(per_address.values()) == {1}  # nobody twice


def test_staff_pause_and_resume_and_a_paused_campaign_can_be_cancelled(aws, api_handler):
    people = [subscriber(api_handler, f"q{number}@example.com", "Q") for number in range(3)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/pause/")[0] == 409  # a draft is not sending
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    status, paused = staff(api_handler, "POST", f"/campaigns/{campaign['id']}/pause/")
    assert (status, paused["status"], paused["paused_reason"]) == (200, "paused", "paused by staff")
    drain(aws, CAMPAIGN_SENDS)  # expansion stops while paused
    assert outbox() == []
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/cancel/")[1]["status"] == "cancelled"


def test_a_staff_pause_and_resume_leaves_the_guard_armed(aws, api_handler, monkeypatch):
    """Only a resume of the guard's own pause overrides it: staff who paused for their own reasons
    saw no warning, so a bounce storm after their resume still pauses the campaign."""
    monkeypatch.setenv("REPUTATION_MIN_SAMPLE", "20")
    campaign = bouncy_campaign(api_handler, "s")
    path = f"/campaigns/{campaign['id']}"
    assert staff(api_handler, "POST", f"{path}/send/")[0] == 202
    assert staff(api_handler, "POST", f"{path}/pause/")[1]["paused_reason"] == "paused by staff"
    status, resumed = staff(api_handler, "POST", f"{path}/resume/")
    assert (status, resumed["status"], resumed["guard_overridden"]) == (200, "sending", False)

    drain(aws, CAMPAIGN_SENDS)
    queue_url = aws[CAMPAIGN_DELIVERIES.env_var]
    deliver(handler(CAMPAIGN_DELIVERIES), queue_url, receive(queue_url, limit=1))
    assert len(outbox()) == 50
    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)
    paused = staff(api_handler, "GET", f"{path}/")[1]
    assert paused["status"] == "paused"
    assert "bounce rate" in paused["paused_reason"]

    # This pause was the guard's: resuming it is staff choosing to go on.
    status, resumed = staff(api_handler, "POST", f"{path}/resume/")
    assert (status, resumed["status"], resumed["guard_overridden"]) == (200, "sending", True)
    assert reputation.check(MailingRef.campaign(campaign["id"])) is None


def test_a_bounce_recorded_before_its_batch_finishes_still_counts_the_send(aws, api_handler, monkeypatch):
    """SES's events can arrive while the batch that sent the email is still sending (a paced
    batch of 50 takes tens of seconds): the bounce's status stands, and the send counts once."""
    real_send = delivery.send_raw
    simulator = SesEventSimulator(boto3.client("events"))

    def send_and_hear_back_at_once(from_address, to, mime, configuration_set):
        message_id = real_send(from_address, to, mime, configuration_set)
        simulator.publish_new()
        drain(aws, SES_EVENTS)
        return message_id

    monkeypatch.setattr(delivery, "send_raw", send_and_hear_back_at_once)
    monkeypatch.setattr(delivery, "SEND_THREADS", 1)
    people = [
        subscriber(api_handler, "bounce@simulator.amazonses.com", "B"),
        subscriber(api_handler, "ok@example.com", "O"),
    ]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    done = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert (done["status"], done["progress"]["sent"], done["progress"]["queued"]) == ("sent", 2, 0)
    recipients = {
        item["email"]: item
        for item in staff(api_handler, "GET", f"/campaigns/{campaign['id']}/recipients/")[1]["items"]
    }
    assert recipients["bounce@simulator.amazonses.com"]["status"] == "bounced"
    assert recipients["ok@example.com"]["status"] == "sent"


def test_a_pause_stops_a_batch_between_sends_and_resume_sends_the_rest(aws, api_handler, monkeypatch):
    real_send = delivery.send_raw
    sent = []

    def send_then_pause_after_five(from_address, to, mime, configuration_set):
        message_id = real_send(from_address, to, mime, configuration_set)
        sent.append(to)
        if len(sent) == 5:
            assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/pause/")[0] == 200
        return message_id

    monkeypatch.setattr(delivery, "send_raw", send_then_pause_after_five)
    monkeypatch.setattr(delivery, "SEND_THREADS", 1)
    monkeypatch.setattr(campaign_delivery, "STATUS_CHECK_SECONDS", 0)
    people = [subscriber(api_handler, f"m{number}@example.com", "M") for number in range(20)]
    campaign = campaign_for(api_handler, [person["contact_id"] for person in people])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws, CAMPAIGN_SENDS)
    queue_url = aws[CAMPAIGN_DELIVERIES.env_var]
    deliver(handler(CAMPAIGN_DELIVERIES), queue_url)
    paused = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert (paused["status"], paused["progress"]["sent"], paused["progress"]["queued"]) == ("paused", 5, 15)
    assert len(outbox()) == 5
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/resume/")
    drain(aws)
    done = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/")[1]
    assert (done["status"], done["progress"]["sent"], done["progress"]["failed"]) == ("sent", 20, 0)
    assert sorted(Counter(str(message["To"]) for message in outbox()).values()) == [1] * 20
