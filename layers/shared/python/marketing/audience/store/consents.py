"""The consent log: the only code that knows how it is stored.

One partition per contact, one item per entry, sorted by time: a page of a contact's history is one
query. Entries are only ever added (a put that refuses to overwrite), inside the transaction of the
change they record; they go only with the contact, on erasure.
"""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from marketing.audience.models.consents import ConsentEntry, ConsentEvent, ConsentMethod
from marketing.audience.models.subscribers import Preferences, SubscriberStatus
from marketing.audience.store.preferences import PreferencesAttribute
from marketing.errors import Conflict
from marketing.store.conditions import Transaction
from marketing.store.table_meta import TableMeta


class ConsentRecord(Model):
    class Meta(TableMeta):
        table_env = "CONSENT_LOG_TABLE"

    contact_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # <time, ISO 8601>#<random>: in time order, never two alike
    at = UTCDateTimeAttribute()
    event = UnicodeAttribute()
    method = UnicodeAttribute()
    actor = UnicodeAttribute()
    source = UnicodeAttribute(null=True)
    ip_address = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    wording_version = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)  # absent: no subscription yet (a signup's entry)
    preferences = PreferencesAttribute(null=True)
    tracking_consent = BooleanAttribute(null=True)

    def to_domain(self) -> ConsentEntry:
        return ConsentEntry(
            contact_id=self.contact_id,
            at=self.at,
            event=ConsentEvent(self.event),
            method=ConsentMethod(self.method),
            actor=self.actor,
            source=self.source,
            ip_address=self.ip_address,
            user_agent=self.user_agent,
            wording_version=self.wording_version,
            status=SubscriberStatus(self.status) if self.status else None,
            preferences=Preferences(**self.preferences.as_dict()) if self.preferences is not None else None,
            tracking_consent=self.tracking_consent,
        )


def append(tx: Transaction, entry: ConsentEntry) -> None:
    """Adds the entry's put to `tx`, the transaction of the change it records."""
    fields = entry.model_dump(exclude={"contact_id", "preferences", "event", "method", "status"})
    record = ConsentRecord(
        entry.contact_id,
        f"{entry.at.isoformat()}#{secrets.token_hex(4)}",
        event=entry.event.value,
        method=entry.method.value,
        status=entry.status.value if entry.status else None,
        preferences=PreferencesAttribute(**entry.preferences.model_dump()) if entry.preferences else None,
        **fields,
    )
    tx.save(record, ConsentRecord.entry.does_not_exist(), Conflict("a consent log entry was written twice; retry"))


def page(contact_id: str, limit: int, start_key: dict[str, Any] | None) -> tuple[list[ConsentEntry], dict | None]:
    """A page of the contact's entries, newest first, and the key to continue from."""
    results = ConsentRecord.query(
        contact_id, scan_index_forward=False, limit=limit, last_evaluated_key=start_key, consistent_read=True
    )
    return [record.to_domain() for record in results], results.last_evaluated_key


def of_contact(contact_id: str) -> list[ConsentEntry]:
    """The contact's whole log, oldest first (its export)."""
    return [record.to_domain() for record in ConsentRecord.query(contact_id, consistent_read=True)]


def forget_contact(contact_id: str) -> None:
    """Erasure: the contact's whole log (what stays is the address's do-not-email entry)."""
    with ConsentRecord.batch_write() as batch:
        for record in ConsentRecord.query(contact_id, attributes_to_get=["contact_id", "entry"]):
            batch.delete(record)
