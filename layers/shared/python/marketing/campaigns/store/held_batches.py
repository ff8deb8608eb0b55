"""Delivery batches of paused campaigns, kept until the campaign is resumed: the only code that
knows how they are stored.

One item per held batch (campaign, a random id) with the batch as it was on the queue. A batch is
held in one transaction with a check that its campaign is paused, so a resume cannot miss it:
either the hold went in before the resume's status change, and the hand-back that follows the
change reads it, or the check fails and the batch goes on at once. Ids are random, so a batch held
again after its hand-back (a second pause) is a new item, which the first hand-back's delete of
the items it read cannot take.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from marketing.campaigns.models.campaigns import CampaignStatus, DeliveryBatch
from marketing.campaigns.store.campaigns import CampaignRecord
from marketing.ids import new_id
from marketing.store.conditions import Transaction, transact
from marketing.store.table_meta import TableMeta


class HeldBatchRecord(Model):
    class Meta(TableMeta):
        table_env = "CAMPAIGN_HELD_BATCHES_TABLE"

    campaign_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    batch = JSONAttribute()  # the DeliveryBatch message
    held_at = UTCDateTimeAttribute()


class HeldBatch(NamedTuple):
    id: str
    batch: DeliveryBatch


def hold(batch: DeliveryBatch, now: datetime) -> bool:
    """Keeps `batch` until its campaign is resumed, if the campaign is still paused; False (nothing
    kept) if it is not any more."""

    def write(tx: Transaction) -> None:
        tx.check(CampaignRecord, batch.campaign_id, CampaignRecord.status == CampaignStatus.PAUSED.value)
        tx.save(HeldBatchRecord(batch.campaign_id, new_id("hld"), batch=batch.model_dump(mode="json"), held_at=now))

    return not transact(HeldBatchRecord.Meta.region, write)


def first(campaign_id: str, limit: int) -> list[HeldBatch]:
    """Up to `limit` of the campaign's held batches, read consistently (a hold a moment ago counts)."""
    return [
        HeldBatch(record.id, DeliveryBatch.model_validate(record.batch))
        for record in HeldBatchRecord.query(campaign_id, consistent_read=True, limit=limit)
    ]


def release(campaign_id: str, held_ids: Iterable[str]) -> None:
    with HeldBatchRecord.batch_write() as batch:
        for held_id in held_ids:
            batch.delete(HeldBatchRecord(campaign_id, held_id))
