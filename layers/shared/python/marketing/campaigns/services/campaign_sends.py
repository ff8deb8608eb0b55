"""Expanding a sending campaign's segment into delivery batches, and handing back the batches
held while it was paused.

Page by page (500 members) from the checkpoint stored on the campaign: the page's contact ids go
to the delivery queue in batches of 50 (ten batches per SendMessageBatch), then the checkpoint
moves on with the page counted into `total`. A worker that dies between the two re-sends the
page's batches, which the delivery claims make harmless; two workers on one campaign race for
the checkpoint and the loser stops. Near its timeout the worker hands the rest to a new message.

A resume queues a message here (so does a cancel): the batches the pause held (store/held_batches)
go back on the delivery queue with no delay, a hundred at a time, before the expansion goes on;
a campaign that ended meanwhile has them dropped. They are queued before they are released, so a
worker that dies between queues them again, which the delivery claims make harmless.
"""

from __future__ import annotations

from marketing import clock
from marketing.audience.store import segments as segment_store
from marketing.aws import messaging
from marketing.campaigns.models.campaigns import RECIPIENTS_PER_BATCH, CampaignStatus, DeliveryBatch, SendRequest
from marketing.campaigns.store import campaigns as store
from marketing.campaigns.store import held_batches
from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS
from marketing.clock import Deadline
from marketing.errors import Conflict, NotFound

EXPAND_PAGE = 500
CONTINUE_WITH_SECONDS_LEFT = 60
HAND_BACK_PAGE = 100  # held batches per read: ten SendMessageBatch requests, four BatchWriteItem deletes


def handle(request: SendRequest, deadline: Deadline) -> str:
    if request.scheduled_at is not None:
        # Imported here: only a scheduled start runs the campaign rules (the API's send checks),
        # which load most of the campaign service; an expansion needs none of it.
        from marketing.campaigns.services import campaigns

        if not campaigns.start_scheduled(request):
            return f"campaign {request.campaign_id}: scheduled start not due any more (rescheduled, cancelled, refused)"
    if not hand_back(request.campaign_id, deadline):
        return _continue_later(request.campaign_id, "handing back held batches")
    return expand(request.campaign_id, deadline)


def hand_back(campaign_id: str, deadline: Deadline) -> bool:
    """Queues the campaign's held batches while it is sending, drops them once it has ended
    (cancelled, deleted); a campaign paused again keeps the rest. False if time ran short first."""
    while (status := store.status_of(campaign_id)) != CampaignStatus.PAUSED.value:
        held = held_batches.first(campaign_id, HAND_BACK_PAGE)
        if not held:
            return True
        if status == CampaignStatus.SENDING.value:
            messaging.send_batch(CAMPAIGN_DELIVERIES, (item.batch.model_dump(mode="json") for item in held))
        held_batches.release(campaign_id, (item.id for item in held))
        if deadline.seconds_left() < CONTINUE_WITH_SECONDS_LEFT:
            return False
    return True


def _continue_later(campaign_id: str, work: str) -> str:
    messaging.send(CAMPAIGN_SENDS, SendRequest(campaign_id=campaign_id).model_dump(mode="json"))
    return f"campaign {campaign_id}: {work} continues in a new invocation"


def expand(campaign_id: str, deadline: Deadline) -> str:
    while True:
        try:
            campaign = store.record(campaign_id)
        except NotFound:
            return f"campaign {campaign_id} was deleted"
        if campaign.status != CampaignStatus.SENDING.value or campaign.expanded:
            return f"campaign {campaign_id}: nothing to expand ({campaign.status})"
        cursor = campaign.expand_cursor
        contact_ids, next_key = segment_store.member_page(
            campaign.segment_id, int(campaign.segment_generation or 0), EXPAND_PAGE, cursor
        )
        messaging.send_batch(
            CAMPAIGN_DELIVERIES,
            (
                DeliveryBatch(
                    campaign_id=campaign_id, contact_ids=contact_ids[start : start + RECIPIENTS_PER_BATCH]
                ).model_dump(mode="json")
                for start in range(0, len(contact_ids), RECIPIENTS_PER_BATCH)
            ),
        )
        try:
            store.checkpoint_expansion(campaign_id, cursor, next_key, len(contact_ids))
        except Conflict:
            return f"campaign {campaign_id}: another worker is expanding it"
        if next_key is None:
            store.finish_if_complete(campaign_id, clock.utcnow())  # a segment emptied since the check
            return f"campaign {campaign_id}: segment expanded, {int(campaign.total or 0) + len(contact_ids)} recipients"
        if deadline.seconds_left() < CONTINUE_WITH_SECONDS_LEFT:
            return _continue_later(campaign_id, "expansion")
