"""An import's rows that wait for their owner's confirmation (no consent stated, or the double
opt-in policy asks for one): the only code that knows how they are stored.

One item per (import, contact), written when the row is applied (again, unchanged, if a chunk is
redone) and marked once its confirmation email was asked for. Items name a contact id and a row
number, nothing more, and go 30 days after the import (TTL): a re-permission campaign is asked for
soon after an import or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from pynamodb.attributes import JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from marketing.audience.models.imports import ImportConsent
from marketing.store.conditions import applied
from marketing.store.table_meta import TableMeta

KEPT_FOR = timedelta(days=30)


class ImportConfirmation(NamedTuple):
    import_id: str
    contact_id: str
    row: int
    consent: ImportConsent | None  # what the file stated, if anything


class ImportConfirmationRecord(Model):
    class Meta(TableMeta):
        table_env = "IMPORT_CONFIRMATIONS_TABLE"
        ttl_attribute = "expires"

    import_id = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute(range_key=True)
    row = NumberAttribute()
    consent = JSONAttribute(null=True)
    asked_at = UTCDateTimeAttribute(null=True)  # when its confirmation email was asked for
    expires = TTLAttribute()

    def to_domain(self) -> ImportConfirmation:
        consent = ImportConsent.model_validate(self.consent) if self.consent else None
        return ImportConfirmation(self.import_id, self.contact_id, int(self.row), consent)


def add(waiting: ImportConfirmation, now: datetime) -> None:
    """Keeps the row waiting (nothing changes if it is kept already)."""
    consent = waiting.consent.model_dump(mode="json") if waiting.consent else None
    record = ImportConfirmationRecord(
        waiting.import_id, waiting.contact_id, row=waiting.row, consent=consent, expires=now + KEPT_FOR
    )
    applied(lambda: record.save(ImportConfirmationRecord.contact_id.does_not_exist()))


def not_asked(import_id: str, *, stated_only: bool, limit: int) -> list[ImportConfirmation]:
    """Up to `limit` rows whose email was not asked for yet (`stated_only`: those with a consent)."""
    condition = ImportConfirmationRecord.asked_at.does_not_exist()
    if stated_only:
        condition &= ImportConfirmationRecord.consent.exists()
    found = []
    for record in ImportConfirmationRecord.query(import_id, filter_condition=condition, consistent_read=True):
        found.append(record.to_domain())
        if len(found) == limit:
            break
    return found


def mark_asked(waiting: ImportConfirmation, now: datetime) -> None:
    ImportConfirmationRecord(waiting.import_id, waiting.contact_id).update(
        actions=[ImportConfirmationRecord.asked_at.set(now)]
    )
