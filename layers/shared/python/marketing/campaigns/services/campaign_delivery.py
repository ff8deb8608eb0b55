"""A batch of a campaign's recipients (a message on the campaign-deliveries queue): sent on the
shared send path (services/delivery.py) while the campaign is sending, held while it is paused
(kept in store/held_batches until the resume hands it back, services/campaign_sends.py), and
whatever SES could not take now handed to a later message.
"""

from __future__ import annotations

import threading
import time

from marketing import clock
from marketing.audience.store import contacts as contact_store
from marketing.aws import messaging
from marketing.campaigns.models.campaigns import CampaignStatus, DeliveryBatch
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.models.recipients import RecipientStatus, SuppressionReason
from marketing.campaigns.services import delivery
from marketing.campaigns.store import campaigns as campaign_store
from marketing.campaigns.store import held_batches, recipients
from marketing.catalog.topology import CAMPAIGN_DELIVERIES
from marketing.clock import Deadline
from marketing.config import EmailSettings, load_settings
from marketing.errors import NotFound
from marketing.ids import new_id

STATUS_CHECK_SECONDS = 2.0  # how stale a sending batch's view of its campaign's status may be


class _StatusWatch:
    """Whether the campaign is still sending, read again at most every STATUS_CHECK_SECONDS by the
    batch's send threads together: a pause stops the batch within seconds, for a read per check."""

    def __init__(self, campaign_id: str):
        self._campaign_id = campaign_id
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._sending = True

    def __call__(self) -> bool:
        with self._lock:
            if self._sending and time.monotonic() - self._checked >= STATUS_CHECK_SECONDS:
                self._checked = time.monotonic()
                self._sending = campaign_store.status_of(self._campaign_id) == CampaignStatus.SENDING.value
            return self._sending


def _hold(batch: DeliveryBatch) -> str:
    """Keeps the batch of a paused campaign until a resume hands it back (nothing looks at it
    meanwhile); one resumed or cancelled since its status was read goes back on the queue at once."""
    if held_batches.hold(batch, clock.utcnow()):
        return "held until the campaign is resumed"
    messaging.send(CAMPAIGN_DELIVERIES, batch.model_dump(mode="json"))
    return "queued again: the campaign is no longer paused"


def _count_erased(mailing: MailingRef, contact_ids: list[str]) -> None:
    """Contacts erased since the expansion counted them into the campaign's total: recorded as
    suppressed, once (a claim, with no address), so the campaign's progress still reaches it."""
    if contact_ids:
        claims = [recipients.Claim(contact_id, "", SuppressionReason.ERASED) for contact_id in contact_ids]
        recipients.claim(mailing, claims, new_id("att"), clock.utcnow())


def deliver(batch: DeliveryBatch, deadline: Deadline) -> str:
    """One batch of a campaign's recipients, as far as the deadline allows."""
    try:
        campaign = campaign_store.record(batch.campaign_id)
    except NotFound:
        return f"campaign {batch.campaign_id} was deleted: nothing sent"
    if campaign.status == CampaignStatus.PAUSED.value:
        return f"campaign {campaign.id} is paused: batch {_hold(batch)}"
    if campaign.status != CampaignStatus.SENDING.value:
        return f"campaign {campaign.id} is {campaign.status}: nothing sent"
    settings = load_settings(EmailSettings)
    mailing = delivery.Mailing(
        MailingRef.campaign(campaign.id),
        campaign.from_name,
        campaign.from_email or settings.sender_address,
        campaign.reply_to,
        campaign.subject,
    )
    contacts = {contact.id: contact for contact in contact_store.batch_get(batch.contact_ids)}
    if not batch.retry_failed:
        _count_erased(mailing.ref, [contact_id for contact_id in batch.contact_ids if contact_id not in contacts])
    still_sending = _StatusWatch(campaign.id)
    sent = delivery.deliver_to(
        settings,
        mailing,
        delivery.cached_template(campaign.template_id),
        contacts,
        batch.attempt,
        deadline,
        retry_failed=batch.retry_failed,
        keep_going=still_sending,
    )
    later = [result.contact_id for result in sent.results if result.status == RecipientStatus.PENDING]
    if later and any(result.reason == delivery.PAUSED for result in sent.results):
        # Paused mid-batch: the rest is held like a batch that found the campaign paused, as the same attempt.
        _hold(batch.model_copy(update={"contact_ids": later}))
    else:
        for retry in delivery.retries(sent.results, batch.attempt):
            messaging.send(
                CAMPAIGN_DELIVERIES,
                batch.model_copy(update={"contact_ids": retry.contact_ids, "attempt": retry.attempt}).model_dump(
                    mode="json"
                ),
                delay_seconds=retry.delay_seconds,
            )
    campaign_store.finish_if_complete(campaign.id, clock.utcnow())
    return (
        f"campaign {campaign.id}: {sent.count(RecipientStatus.SENT)} sent, "
        f"{sent.count(RecipientStatus.FAILED)} failed, {len(later)} to retry, "
        f"{len(sent.suppressed)} suppressed, {sent.handled_before + len(batch.contact_ids) - len(contacts)} "
        "handled before or erased"
    )
